// Writes internal/face/testdata/faceapi_golden.json: reference outputs of
// @vladmandic/face-api on tfjs-wasm (fully offline) for the pure-Go ports.
//
// Usage: node golden.mjs [facesDir] [outFile]
//   facesDir defaults to ../../../shared/testdata/faces (relative to this script),
//   outFile to ../../internal/face/testdata/faceapi_golden.json.
//
// Descriptors are computeFaceDescriptor on the whole decoded image (face-api's
// own preprocessing); boxes are TinyFaceDetector.locateFaces (inputSize 416 and
// scoreThreshold 0.5 unless the entry says otherwise), in source-image pixels,
// in face-api's order.

import fs from 'node:fs';
import path from 'node:path';
import { defaultFacesDir, generatorInfo, here, loadFaceAPI, loadImage, toTensor } from './lib.mjs';

const facesDir = path.resolve(process.argv[2] || defaultFacesDir);
const outFile = path.resolve(process.argv[3] || path.join(here, '../../internal/face/testdata/faceapi_golden.json'));

// Detector cases: every image at face-api's defaults (inputSize 416,
// scoreThreshold 0.5), plus a few other sizes and thresholds.
const defaults = { inputSize: 416, scoreThreshold: 0.5 };
const detectorCases = [
  ...[
    'group/bbt1.jpg',
    'group/bbt2.jpg',
    'group/bbt3.jpg',
    'group/bbt4.jpg',
    'group/bbt5.jpg',
    'golden/face1.png',
    'crops/amy/amy1.png',
    'crops/penny/penny3.png',
    'crops/raj/raj2.png',
    'crops/stuart/stuart5.png',
    'synthetic:gradient640x480',
  ].map((image) => ({ image, ...defaults })),
  { image: 'group/bbt4.jpg', inputSize: 320, scoreThreshold: 0.5 },
  { image: 'group/bbt2.jpg', inputSize: 608, scoreThreshold: 0.4 },
  { image: 'group/bbt3.jpg', inputSize: 224, scoreThreshold: 0.3 },
  { image: 'group/bbt5.jpg', inputSize: 512, scoreThreshold: 0.25 },
  { image: 'golden/face2.png', inputSize: 128, scoreThreshold: 0.1 },
  // Portrait crops (padded on the right, unlike the landscape stills).
  { image: 'group/bbt4.jpg#crop=150,0,300,473', ...defaults },
  { image: 'group/bbt5.jpg#crop=330,20,280,444', inputSize: 224, scoreThreshold: 0.5 },
];

function descriptorImages() {
  const crops = path.join(facesDir, 'crops');
  const names = [];
  for (const person of fs.readdirSync(crops).sort()) {
    for (const f of fs.readdirSync(path.join(crops, person)).sort()) {
      if (f.endsWith('.png')) names.push(`crops/${person}/${f}`);
    }
  }
  if (names.length !== 40) throw new Error(`found ${names.length} crops, want 40`);
  return [...names, 'golden/face1.png', 'golden/face2.png', 'synthetic:gradient150'];
}

async function descriptors(faceapi) {
  const out = [];
  for (const image of descriptorImages()) {
    const t = toTensor(faceapi, loadImage(facesDir, image));
    const d = await faceapi.computeFaceDescriptor(t);
    t.dispose();
    if (d.length !== 128) throw new Error(`${image}: descriptor length ${d.length}`);
    out.push({ image, descriptor: Array.from(d) });
  }
  return out;
}

async function detections(faceapi) {
  const out = [];
  for (const { image, inputSize, scoreThreshold } of detectorCases) {
    const opt = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
    const img = loadImage(facesDir, image);
    const t = toTensor(faceapi, img);
    const dets = await faceapi.nets.tinyFaceDetector.locateFaces(t, opt);
    t.dispose();
    const boxes = dets.map((d) => ({
      x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score,
    }));
    out.push({ image, width: img.width, height: img.height, input_size: inputSize, score_threshold: scoreThreshold, boxes });
  }
  return out;
}

function write(doc) {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(doc, null, 1)}\n`);
  fs.renameSync(tmp, outFile);
}

const faceapi = await loadFaceAPI();
const doc = { generator: generatorInfo(faceapi), descriptors: await descriptors(faceapi), tiny_face_detector: await detections(faceapi) };
write(doc);
process.stderr.write(`wrote ${outFile}: ${doc.descriptors.length} descriptors, ${doc.tiny_face_detector.length} detector images\n`);
for (const d of doc.tiny_face_detector) process.stderr.write(`  ${d.image} @${d.input_size}/${d.score_threshold}: ${d.boxes.length} faces\n`);
