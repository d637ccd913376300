/** Small networks' weights for tests: every tensor perturbed (zero-initialised ones included), so each one matters. */
import * as tf from '@tensorflow/tfjs-core';
import { initialParams } from '../../scripts/train/trainer';
import { Rng } from '../../src/model/rng';
import { paramSpecs, type Params, type UNetConfig } from '../../src/model/unet';

export function randomWeights(cfg: UNetConfig, seed: number): Record<string, Float32Array> {
  const w = initialParams(paramSpecs(cfg), new Rng(seed));
  const rng = new Rng(seed + 1);
  for (const k of Object.keys(w)) w[k] = w[k].map((v) => v + 0.05 * rng.normal());
  return w;
}

export const toParams = (cfg: UNetConfig, w: Record<string, Float32Array>): Params =>
  Object.fromEntries(paramSpecs(cfg).map((s) => [s.name, tf.tensor(w[s.name], s.shape)]));
