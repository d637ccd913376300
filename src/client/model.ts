/**
 * The model as a page holds it: started once, on the first drawDigit.
 * The same start-up as the Worker's (src/model/runtime.ts): tfjs WASM from a
 * compiled module through src/model/backend.ts, then weights checked against
 * the manifest's sha256 and dequantised by src/model/weights.ts. A page may
 * compile wasm from bytes, so the binary is fetched; browsers without WASM SIMD
 * get the plain binary (other kernels: see the README on what that keeps).
 */
import * as tf from '@tensorflow/tfjs-core';
import manifestJson from '../../weights/manifest.json';
import { useWasmBackend } from '../model/backend';
import type { Model } from '../model/sampler';
import { NoiseSchedule } from '../model/schedule';
import { loadWeights, WeightsError, type Manifest } from '../model/weights';
import { assetUrl, fetchAsset } from './assets';

/** Which tfjs-backend-wasm binary runs: `wasm-simd` is the Worker's. */
export type BackendName = 'wasm-simd' | 'wasm';

export interface ClientModel extends Model {
  manifest: Manifest;
  backend: BackendName;
}

let loading: Promise<ClientModel> | null = null;

export function getClientModel(): Promise<ClientModel> {
  loading ??= load().catch((err: unknown) => {
    loading = null; // a failed download may succeed on the next call
    throw err;
  });
  return loading;
}

async function load(): Promise<ClientModel> {
  // The flag is tfjs-backend-wasm's own feature test (a tiny SIMD module through WebAssembly.validate).
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  // Download the weights while the wasm compiles; they are checked once the backend can hold them.
  const weights = fetchAsset('weights').then((res) => res.arrayBuffer());
  weights.catch(() => {}); // reported below, once awaited, not as an unhandled rejection
  await useWasmBackend(await WebAssembly.compileStreaming(fetchAsset(simd ? 'simdWasm' : 'plainWasm')));
  try {
    const { manifest, params } = await loadWeights(manifestJson, await weights);
    return { manifest, params, unet: manifest.architecture, schedule: new NoiseSchedule(manifest.schedule), backend: simd ? 'wasm-simd' : 'wasm' };
  } catch (err) {
    if (err instanceof WeightsError) throw new WeightsError(`drawDigit: refusing the weights at ${assetUrl('weights')}: ${err.message}`);
    throw err;
  }
}
