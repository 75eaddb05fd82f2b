// Shared helpers of the reference scripts: load @vladmandic/face-api on the
// tfjs wasm backend fully offline, decode test images with pure-JS decoders and
// build the synthetic test images from their formula.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Directory of this script. */
export const here = path.dirname(fileURLToPath(import.meta.url));

/** Default directory of the shared face test images. */
export const defaultFacesDir = path.resolve(here, '../../../shared/testdata/faces');

/** face-api's own model directory inside node_modules. */
export const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

/**
 * Loads face-api (node-wasm build), points tfjs-wasm at the .wasm files of the
 * local node_modules (never a CDN), selects the wasm backend and loads the
 * TinyFaceDetector and face recognition weights from disk.
 */
export async function loadFaceAPI() {
  const faceapi = require(path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'dist/face-api.node-wasm.js'));
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(wasmDir + path.sep);
  await faceapi.tf.setBackend('wasm');
  await faceapi.tf.ready();
  if (faceapi.tf.getBackend() !== 'wasm') {
    throw new Error(`backend is ${faceapi.tf.getBackend()}, want wasm`);
  }
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  return faceapi;
}

/** Versions of the reference stack, for the "generator" field. */
export function generatorInfo(faceapi) {
  const pkg = (name) => require(`${name}/package.json`).version;
  return {
    face_api: pkg('@vladmandic/face-api'),
    tfjs: pkg('@tensorflow/tfjs'),
    backend: faceapi.tf.getBackend(),
    node: process.versions.node,
  };
}

/**
 * Returns {width, height, rgb} where rgb is a Uint8Array of width*height*3
 * bytes. name is either a path relative to facesDir (PNG or JPEG), such a
 * path followed by "#crop=x,y,w,h" (that rectangle of the decoded image), or
 * "synthetic:gradient<W>[x<H>]" (the formula image; gradient150 = 150x150).
 */
export function loadImage(facesDir, name) {
  const [file, fragment] = name.split('#crop=');
  if (fragment !== undefined) {
    return crop(loadImage(facesDir, file), fragment.split(',').map(Number));
  }
  if (name.startsWith('synthetic:gradient')) {
    const dims = name.slice('synthetic:gradient'.length).split('x').map(Number);
    const width = dims[0];
    const height = dims.length > 1 ? dims[1] : dims[0];
    return gradient(width, height);
  }
  const buf = fs.readFileSync(path.join(facesDir, name));
  let width;
  let height;
  let rgba;
  if (name.toLowerCase().endsWith('.png')) {
    const { PNG } = require('pngjs');
    const png = PNG.sync.read(buf); // always RGBA, grey expanded to R=G=B
    ({ width, height } = png);
    rgba = png.data;
  } else {
    const jpeg = require('jpeg-js');
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true });
    ({ width, height } = img);
    rgba = img.data;
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = rgba[j];
    rgb[i * 3 + 1] = rgba[j + 1];
    rgb[i * 3 + 2] = rgba[j + 2];
  }
  return { width, height, rgb };
}

/** The rectangle [x, y, w, h] of img. */
function crop(img, [x, y, w, h]) {
  if (!(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= img.width && y + h <= img.height)) {
    throw new Error(`crop ${[x, y, w, h]} outside ${img.width}x${img.height}`);
  }
  const rgb = new Uint8Array(w * h * 3);
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * img.width + x) * 3;
    rgb.set(img.rgb.subarray(from, from + w * 3), r * w * 3);
  }
  return { width: w, height: h, rgb };
}

/**
 * The synthetic test image: R = (x*7 + y*3) % 256, G = (x*y) % 256,
 * B = ((x ^ y) * 5) % 256.
 */
export function gradient(width, height) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = (x * 7 + y * 3) % 256;
      rgb[i + 1] = (x * y) % 256;
      rgb[i + 2] = ((x ^ y) * 5) % 256;
    }
  }
  return { width, height, rgb };
}

/** An int32 [height, width, 3] tensor of the image, as tfjs-node's decodeImage gives. */
export function toTensor(faceapi, img) {
  return faceapi.tf.tensor3d(Int32Array.from(img.rgb), [img.height, img.width, 3], 'int32');
}
