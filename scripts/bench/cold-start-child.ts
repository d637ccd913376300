/**
 * One cold start, in a fresh Node process (spawned by cold-start.ts): the
 * Worker's start-up steps with the same functions it uses (useWasmBackend,
 * loadWeights), each timed, then the first digit. Reading files happens
 * before the clock starts: in a Worker they arrive with the bundle.
 * Prints one JSON line.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { useWasmBackend } from '../../src/model/backend';
import { drawDigits } from '../../src/model/generate';
import { loadWeights, modelOf } from '../../src/model/weights';

const weightsDir = process.argv[2] ?? 'weights';
const simdBytes = fs.readFileSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm'));
const manifest = JSON.parse(fs.readFileSync(path.join(weightsDir, 'manifest.json'), 'utf8'));
const file = fs.readFileSync(path.join(weightsDir, manifest.binary.file));
const binary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;

const t0 = performance.now();
// Workers receive the module precompiled; Node has to compile it. Timed apart.
const module = await WebAssembly.compile(simdBytes);
const t1 = performance.now();
await useWasmBackend(module);
const t2 = performance.now();
const loaded = await loadWeights(manifest, binary);
const t3 = performance.now();
const s = loaded.manifest.sampling;
await drawDigits(modelOf(loaded.manifest, loaded.params), {
  digits: [5], seeds: [42], steps: s.defaultSteps, guidance: s.defaultGuidance, sampler: s.defaultSampler,
});
const t4 = performance.now();
console.log(JSON.stringify({ compileMs: t1 - t0, backendInitMs: t2 - t1, weightsMs: t3 - t2, firstDigitMs: t4 - t3 }));
