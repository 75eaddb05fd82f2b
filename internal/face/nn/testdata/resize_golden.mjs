// Regenerates resize_golden.json: tfjs-wasm face-api descriptors of the
// synthetic gradient image at sizes that exercise face-api's preprocessing
// (centred zero padding to a square with odd differences, bilinear resize up
// and down to 150). Uses the shared helpers of tools/faceapi; run from the
// repository root after `npm ci` in tools/faceapi:
//
//   node internal/face/nn/testdata/resize_golden.mjs
//
// Image names follow the golden contract: "synthetic:gradient<W>x<H>".

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorInfo, gradient, loadFaceAPI, toTensor } from '../../../../tools/faceapi/lib.mjs';

const sizes = [[640, 480], [97, 202], [151, 150], [150, 151], [300, 300], [100, 100], [40, 90]];

const faceapi = await loadFaceAPI();
const descriptors = [];
for (const [w, h] of sizes) {
  const t = toTensor(faceapi, gradient(w, h));
  const d = await faceapi.computeFaceDescriptor(t);
  t.dispose();
  descriptors.push({ image: `synthetic:gradient${w}x${h}`, descriptor: Array.from(d) });
}
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'resize_golden.json');
const lines = descriptors.map((d) => `  ${JSON.stringify(d)}`).join(',\n');
fs.writeFileSync(out, `{"generator": ${JSON.stringify(generatorInfo(faceapi))},\n "descriptors": [\n${lines}\n]}\n`);
process.stderr.write(`wrote ${out}: ${descriptors.length} descriptors\n`);
