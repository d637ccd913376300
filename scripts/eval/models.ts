/**
 * The models eval and bench measure, loaded in Node exactly as the Worker
 * loads them (src/model/runtime.ts): manifest + int8 binary through
 * loadWeights (sha256 check, per-channel dequantisation), then the same
 * Model shape the sampler takes. Optionally the fp32 EMA weights those int8
 * weights were quantised from, read from a training checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../src/model/sampler';
import { NoiseSchedule } from '../../src/model/schedule';
import { paramSpecs, type Params } from '../../src/model/unet';
import { loadWeights, type Manifest } from '../../src/model/weights';
import { CHECKPOINT_FILE, loadCheckpoint } from '../train/checkpoint';
import { quantizePerChannel } from '../train/export';

export interface LoadedWeights extends Model {
  manifest: Manifest;
  /** model.bin as read, for comparing an fp32 checkpoint against it. */
  binary: Uint8Array;
}

export async function loadShippedModel(weightsDir = 'weights'): Promise<LoadedWeights> {
  const raw = JSON.parse(fs.readFileSync(path.join(weightsDir, 'manifest.json'), 'utf8'));
  const file = fs.readFileSync(path.join(weightsDir, raw.binary?.file ?? 'model.bin'));
  const binary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const { manifest, params } = await loadWeights(raw, binary);
  return { manifest, params, unet: manifest.architecture, schedule: new NoiseSchedule(manifest.schedule), binary: new Uint8Array(binary) };
}

export interface Fp32Weights extends Model {
  checkpoint: string;
  step: number;
  /** True when quantising these weights gives exactly the shipped model.bin: they are its source. */
  matchesShippedInt8: boolean;
}

/** The EMA weights of a training checkpoint (the ones training exports), as an fp32 model. */
export function loadFp32Checkpoint(where: string, shipped: LoadedWeights): Fp32Weights {
  const runDir = path.basename(where) === CHECKPOINT_FILE ? path.dirname(where) : where;
  const ckpt = loadCheckpoint(runDir);
  if (!ckpt) throw new Error(`--fp32-checkpoint: no ${CHECKPOINT_FILE} in ${runDir}`);
  if (JSON.stringify(ckpt.header.unet) !== JSON.stringify(shipped.unet)) {
    throw new Error(`--fp32-checkpoint: the checkpoint's architecture ${JSON.stringify(ckpt.header.unet)} differs from the shipped weights' ${JSON.stringify(shipped.unet)}`);
  }
  const ema = ckpt.snapshot.groups.ema;
  const int8 = new Int8Array(shipped.binary.buffer, shipped.binary.byteOffset, shipped.binary.byteLength);
  let matches = true;
  const params: Params = {};
  for (const [i, spec] of paramSpecs(shipped.unet).entries()) {
    const values = ema[spec.name];
    if (!values) throw new Error(`--fp32-checkpoint: ${spec.name} missing from the checkpoint's EMA weights`);
    params[spec.name] = tf.tensor(values, spec.shape, 'float32');
    const q = quantizePerChannel(values, spec.shape[spec.shape.length - 1]);
    const offset = shipped.manifest.tensors[i].offset;
    if (matches && !q.values.every((v, k) => v === int8[offset + k])) matches = false;
  }
  return { params, unet: shipped.unet, schedule: shipped.schedule, checkpoint: path.join(runDir, CHECKPOINT_FILE), step: ckpt.header.step, matchesShippedInt8: matches };
}
