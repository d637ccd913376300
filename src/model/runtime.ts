/**
 * The model as the Worker holds it: started once per isolate, on first use.
 * Start-up = tfjs WASM SIMD backend from the bundled module + every served
 * manifest checked + the default request's weight set checked against its
 * sha256 and dequantised. The other sets are checked and dequantised the first
 * time a request needs them, so a plain request never pays for the hand set's
 * weights. Bad weights are logged once and make every request their set would
 * draw answer 503 rather than draw with the wrong numbers.
 */
import simdModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';
import fewStepBinary from '../../weights/few-step/model.bin';
import handBinary from '../../weights/hand/model.bin';
import generalBinary from '../../weights/model.bin';
import { useWasmBackend } from './backend';
import { SERVED_SETS, type ServedSet } from './served-sets';
import type { Model } from './sampler';
import { checkWeightSets, weightSetFor } from './weight-sets';
import { loadWeights, modelOf, validateManifest, WeightsError, type Manifest } from './weights';

export interface LoadedModel extends Model {
  manifest: Manifest;
}

export interface ServedModels {
  /** Every served set's manifest, checked, in serving order (src/model/weight-sets.ts). */
  manifests: Manifest[];
  /** Milliseconds spent starting the backend and decoding the default request's weight set. */
  startupMs: number;
}

/** Each served set's binary, bundled by wrangler (wrangler.toml's Data rule), by weights folder. */
const BINARIES: Record<string, ArrayBuffer> = { 'weights/few-step': fewStepBinary, weights: generalBinary, 'weights/hand': handBinary };

export class ModelUnavailableError extends Error {
  /** Bad weights stay bad (they are part of the bundle); anything else, such as a backend start-up failure, may pass. */
  constructor(reason: string, readonly permanent: boolean) {
    super(reason);
  }
}

let starting: Promise<ServedModels> | null = null;
/** Each set's weights, by folder, once a request has needed them. */
const loaded = new Map<string, Promise<LoadedModel>>();

/** Logs a failure once and turns it into a 503; `retry` forgets what failed unless the failure is permanent. */
function unavailable(retry: () => void) {
  return (err: unknown): never => {
    const failure = err instanceof ModelUnavailableError ? err : new ModelUnavailableError(err instanceof Error ? err.message : String(err), err instanceof WeightsError);
    if (failure !== err) console.error(`model unavailable: ${failure.message}`);
    if (!failure.permanent) retry();
    throw failure;
  };
}

export function getServedModels(): Promise<ServedModels> {
  starting ??= start().catch(unavailable(() => (starting = null)));
  return starting;
}

/** The loaded weight set that draws a request of `steps` (undefined: none named), `inHand` when drawn in a hand (weightSetFor). */
export async function getModel(steps: number | undefined, inHand = false): Promise<LoadedModel> {
  await getServedModels();
  return setOf(weightSetFor(SERVED_SETS, steps, inHand));
}

function setOf(set: ServedSet): Promise<LoadedModel> {
  let model = loaded.get(set.dir);
  if (!model) {
    model = load(set).catch(unavailable(() => loaded.delete(set.dir)));
    loaded.set(set.dir, model);
  }
  return model;
}

async function load({ dir, manifest }: ServedSet): Promise<LoadedModel> {
  const weights = await loadWeights(manifest, BINARIES[dir]);
  return modelOf(weights.manifest, weights.params);
}

async function start(): Promise<ServedModels> {
  const started = performance.now();
  // Checked before any tensor exists, so a bad bundle leaves nothing behind.
  checkWeightSets(SERVED_SETS);
  for (const { dir } of SERVED_SETS) if (!BINARIES[dir]) throw new WeightsError(`no bundled binary for the weight set in ${dir}`);
  const manifests = SERVED_SETS.map((set) => validateManifest(set.manifest));
  await useWasmBackend(simdModule);
  // The default request's set, now: the first request is most likely one.
  await setOf(weightSetFor(SERVED_SETS, undefined));
  return { manifests, startupMs: performance.now() - started };
}
