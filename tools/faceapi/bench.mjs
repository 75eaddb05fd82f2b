// Times the tfjs-wasm reference of the two face networks, to compare with the
// Go benchmarks run back to back on the same machine.
//
// Usage: node bench.mjs [runs]   (default 30 runs after 5 warm-up runs)
//
// Prints JSON: per case the median, min and max wall time in milliseconds of
//   - face_descriptor_150: computeFaceDescriptor on a 150x150 RGB input;
//   - tiny_face_detector_640x480: TinyFaceDetector.locateFaces (inputSize 416,
//     scoreThreshold 0.5) on a 640x480 RGB input, including face-api's
//     preprocessing and box decoding.
// The inputs are the synthetic gradient images (no test data needed), so the
// numbers measure the networks, not the decoders.

import { gradient, generatorInfo, loadFaceAPI, toTensor } from './lib.mjs';

const runs = Number(process.argv[2] || 30);
const warmup = 5;

async function timeIt(fn) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { runs, median_ms: round(median), min_ms: round(ms[0]), max_ms: round(ms[ms.length - 1]) };
}

function round(x) {
  return Math.round(x * 100) / 100;
}

const faceapi = await loadFaceAPI();
const face = toTensor(faceapi, gradient(150, 150));
const frame = toTensor(faceapi, gradient(640, 480));
const opt = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });

const result = {
  generator: generatorInfo(faceapi),
  wasm_simd: faceapi.tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
  wasm_multithread: faceapi.tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  face_descriptor_150: await timeIt(() => faceapi.computeFaceDescriptor(face)),
  tiny_face_detector_640x480: await timeIt(() => faceapi.nets.tinyFaceDetector.locateFaces(frame, opt)),
};
face.dispose();
frame.dispose();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
