/**
 * The model as the Worker holds it: started once per isolate, on first use.
 * Start-up = tfjs WASM SIMD backend from the bundled module + weights checked
 * against their sha256 and dequantised. Bad weights are logged once and make
 * every generation route answer 503 rather than draw with the wrong numbers.
 */
import simdModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm';
import manifestJson from '../../weights/manifest.json';
import weightsBinary from '../../weights/model.bin';
import { useWasmBackend } from './backend';
import type { Model } from './sampler';
import { NoiseSchedule } from './schedule';
import type { UNetConfig } from './unet';
import { loadWeights, WeightsError, type Manifest } from './weights';

export interface LoadedModel extends Model {
  manifest: Manifest;
  /** Milliseconds spent starting the backend and decoding the weights. */
  startupMs: number;
}

/** The architecture of the bundled weights, readable before (and without) loading them: cost estimates use it. */
export function servedArchitecture(): UNetConfig {
  return (manifestJson as unknown as Manifest).architecture;
}

export class ModelUnavailableError extends Error {}

let loading: Promise<LoadedModel> | null = null;

export function getModel(): Promise<LoadedModel> {
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

async function load(): Promise<LoadedModel> {
  const started = performance.now();
  await useWasmBackend(simdModule);
  const { manifest, params } = await loadWeights(manifestJson, weightsBinary);
  return {
    manifest,
    params,
    unet: manifest.architecture,
    schedule: new NoiseSchedule(manifest.schedule),
    startupMs: performance.now() - started,
  };
}
