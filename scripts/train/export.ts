/**
 * The weights format, writer side (reader: src/model/weights.ts).
 * Symmetric int8 with one scale per output channel: scale = max|w| / 127 over
 * everything that feeds that channel, q = round(w / scale).
 * Files are written to temporary names and renamed, the binary first, so a
 * crash never leaves a manifest pointing at a half-written binary.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WEIGHTS_FORMAT, type Manifest, type TensorEntry } from '../../src/model/weights';
import { paramSpecs } from '../../src/model/unet';

export interface QuantizedTensor {
  values: Int8Array;
  scales: number[];
}

export function quantizePerChannel(values: Float32Array, channels: number): QuantizedTensor {
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) maxAbs[i % channels] = Math.max(maxAbs[i % channels], Math.abs(values[i]));
  // Math.fround: the JSON scale must be exactly the float32 the reader will use.
  const scales = Array.from(maxAbs, (m) => Math.fround(m > 0 ? m / 127 : 1));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scales[i % channels])));
  return { values: q, scales };
}

export type ManifestFields = Omit<Manifest, 'format' | 'binary' | 'tensors' | 'version'>;

/** Quantises `weights` (name → float32 values, in the architecture's order) and writes manifest + binary into `dir`. */
export function exportWeights(dir: string, weights: Record<string, Float32Array>, fields: ManifestFields, binaryName = 'model.bin'): Manifest {
  const tensors: TensorEntry[] = [];
  const chunks: Int8Array[] = [];
  let offset = 0;
  for (const spec of paramSpecs(fields.architecture)) {
    const w = weights[spec.name];
    if (!w || w.length !== spec.shape.reduce((a, b) => a * b, 1)) throw new Error(`export: tensor ${spec.name} is missing or has the wrong size`);
    const q = quantizePerChannel(w, spec.shape[spec.shape.length - 1]);
    tensors.push({ name: spec.name, shape: spec.shape, offset, scales: q.scales });
    chunks.push(q.values);
    offset += q.values.length;
  }
  const binary = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  const sha256 = crypto.createHash('sha256').update(binary).digest('hex');
  const manifest: Manifest = {
    format: WEIGHTS_FORMAT,
    // Date plus content hash: a new export always gets a new version, and so new ETags and cache keys.
    version: `${new Date().toISOString().slice(0, 10)}-${sha256.slice(0, 12)}`,
    ...fields,
    binary: { file: binaryName, bytes: binary.length, sha256 },
    tensors,
  };
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, binaryName), binary);
  writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

export function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
