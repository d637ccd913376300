/**
 * The model as a page holds it. The same start-up as the Worker's
 * (src/model/runtime.ts): tfjs WASM from a compiled module through
 * src/model/backend.ts, then weights checked against their manifest's sha256
 * and dequantised by src/model/weights.ts. A page may compile wasm from bytes,
 * so the binary is fetched; browsers without WASM SIMD get the plain binary
 * (other kernels: docs/client.md says what that keeps).
 *
 * The Worker serves several weight sets and picks one by the request's steps
 * (src/model/weight-sets.ts); the client bundles the same manifests in the same
 * order and picks the same way, so it draws the same bytes. Unlike the Worker it
 * downloads a set only when a draw first needs it: a page that only draws
 * default requests never fetches the general set's weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useWasmBackend } from '../model/backend';
import type { Model } from '../model/sampler';
import { SERVED_SETS, type ServedSet } from '../model/served-sets';
import { checkWeightSets, weightSetFor } from '../model/weight-sets';
import { loadWeights, modelOf, WeightsError, type Manifest } from '../model/weights';
import { assetUrl, fetchAsset } from './assets';

/** Which tfjs-backend-wasm binary runs: `wasm-simd` is the Worker's. */
export type BackendName = 'wasm-simd' | 'wasm';

export interface ClientModel extends Model {
  manifest: Manifest;
  backend: BackendName;
}

interface WeightSet extends ServedSet {
  loading: Promise<ClientModel> | null;
}

/** The Worker's weight sets in its serving order, each with its own download. */
const SETS: WeightSet[] = SERVED_SETS.map((set) => ({ ...set, loading: null }));
let setsChecked = false;
let backend: Promise<BackendName> | null = null;

/** The model that draws a request of `steps` (undefined: none named), `inHand` when drawn in a hand (weightSetFor), loaded on first use. */
export async function getClientModel(steps?: number, inHand = false): Promise<ClientModel> {
  // A bad order is a bad build: every draw is refused, as the Worker answers 503.
  if (!setsChecked) {
    checkWeightSets(SETS);
    setsChecked = true;
  }
  const set = weightSetFor(SETS, steps, inHand);
  set.loading ??= load(set.manifest).catch((err: unknown) => {
    set.loading = null; // a failed download may succeed on the next call
    throw err;
  });
  return set.loading;
}

/** tfjs on the WASM backend, started once for every set. */
function startBackend(): Promise<BackendName> {
  backend ??= (async (): Promise<BackendName> => {
    // The flag is tfjs-backend-wasm's own feature test (a tiny SIMD module through WebAssembly.validate).
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    await useWasmBackend(await WebAssembly.compileStreaming(fetchAsset(simd ? 'simdWasm' : 'plainWasm')));
    return simd ? 'wasm-simd' : 'wasm';
  })().catch((err: unknown) => {
    backend = null;
    throw err;
  });
  return backend;
}

async function load(bundled: Manifest): Promise<ClientModel> {
  const file = { weights: bundled.name! }; // checkWeightSets: every set is named
  // Download the weights while the wasm compiles; they are checked once the backend can hold them.
  const weights = fetchAsset(file).then((res) => res.arrayBuffer());
  weights.catch(() => {}); // reported below, once awaited, not as an unhandled rejection
  const backendName = await startBackend();
  try {
    const { manifest, params } = await loadWeights(bundled, await weights);
    return { ...modelOf(manifest, params), backend: backendName };
  } catch (err) {
    if (err instanceof WeightsError) throw new WeightsError(`drawDigit: refusing the weights at ${assetUrl(file)}: ${err.message}`);
    throw err;
  }
}
