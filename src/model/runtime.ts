/**
 * The model as the Worker holds it: started once per isolate, on first use.
 * Start-up = tfjs WASM SIMD backend from the bundled module + every served
 * weight set checked against its sha256 and dequantised. Bad weights are
 * logged once and make every generation route answer 503 rather than draw
 * with the wrong numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import simdModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';
import fewStepBinary from '../../weights/few-step/model.bin';
import generalBinary from '../../weights/model.bin';
import { useWasmBackend } from './backend';
import { SERVED_SETS } from './served-sets';
import type { Model } from './sampler';
import { checkWeightSets, weightSetFor } from './weight-sets';
import { loadWeights, modelOf, WeightsError, type Manifest } from './weights';

export interface LoadedModel extends Model {
  manifest: Manifest;
}

export interface ServedModels {
  /** Fewest steps first (src/model/weight-sets.ts). */
  sets: LoadedModel[];
  /** Milliseconds spent starting the backend and decoding every set's weights. */
  startupMs: number;
}

/** Each served set's binary, bundled by wrangler (wrangler.toml's Data rule), by weights folder. */
const BINARIES: Record<string, ArrayBuffer> = { 'weights/few-step': fewStepBinary, weights: generalBinary };

export class ModelUnavailableError extends Error {}

let loading: Promise<ServedModels> | null = null;

export function getServedModels(): Promise<ServedModels> {
  loading ??= load().catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    console.error(`model unavailable: ${reason}`);
    // Weights are part of the bundle: if they are bad now they stay bad, so keep
    // the failure. A backend start-up failure may be transient: let the next request retry.
    if (!(err instanceof WeightsError)) loading = null;
    throw new ModelUnavailableError(reason);
  });
  return loading;
}

/** The loaded weight set that draws a request of `steps` (undefined: none named), `inHand` when drawn in a hand (weightSetFor). */
export async function getModel(steps: number | undefined, inHand = false): Promise<LoadedModel> {
  return weightSetFor((await getServedModels()).sets, steps, inHand);
}

async function load(): Promise<ServedModels> {
  const started = performance.now();
  // Checked before any tensor exists, so a bad bundle leaves nothing behind.
  checkWeightSets(SERVED_SETS);
  for (const { dir } of SERVED_SETS) if (!BINARIES[dir]) throw new WeightsError(`no bundled binary for the weight set in ${dir}`);
  await useWasmBackend(simdModule);
  const sets: LoadedModel[] = [];
  try {
    for (const { dir, manifest: raw } of SERVED_SETS) {
      const { manifest, params } = await loadWeights(raw, BINARIES[dir]);
      sets.push(modelOf(manifest, params));
    }
  } catch (err) {
    for (const set of sets) tf.dispose(Object.values(set.params));
    throw err;
  }
  return { sets, startupMs: performance.now() - started };
}
