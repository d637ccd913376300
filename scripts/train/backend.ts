/**
 * Backends for training in Node.
 *  - wasm: the Worker's own WASM SIMD build (src/model/backend.ts) plus the one
 *    missing gradient kernel; fastest on this project's 2-core CPU machines.
 *    With threads > 1, the package's threaded SIMD build instead (wasm-threads.ts).
 *  - cpu: tfjs's pure-JS backend, for reference (orders of magnitude slower).
 *  - webgpu: TensorFlow.js WebGPU on Dawn (the `webgpu` npm package), Vulkan on Linux.
 * `@tensorflow/tfjs` is imported for its gradient registrations: tfjs-core
 * alone registers none, and Node cannot load tfjs-core's ESM gradient files.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { useWasmBackend } from '../../src/model/backend';
import { registerWasmConvGradients } from './wasm-conv-gradients';
import { THREADED_BINARY, useThreadedWasmBackend } from './wasm-threads';

export type BackendName = 'wasm' | 'cpu' | 'webgpu';

export interface BackendInfo {
  name: BackendName;
  /** What actually runs the kernels: the SIMD binary, or the GPU adapter's description. */
  device: string;
}

const SOFTWARE_ADAPTERS = /llvmpipe|lavapipe|swiftshader|software|cpu/i;

export interface BackendOptions {
  allowSoftwareGpu?: boolean;
  /** XNNPACK threads of the wasm backend (default 1: the Worker's own single-threaded build). */
  threads?: number;
}

/** The wasm backend of this process (one per process: both builds register as 'wasm'). */
let wasmStarted: { threads: number; ready: Promise<void> } | null = null;

export async function initBackend(name: BackendName, opts: BackendOptions = {}): Promise<BackendInfo> {
  if (name === 'wasm') {
    const threads = opts.threads ?? 1;
    if (wasmStarted && wasmStarted.threads !== threads) {
      throw new Error(`the wasm backend already runs ${wasmStarted.threads} thread(s) in this process; cannot switch to ${threads}`);
    }
    wasmStarted ??= {
      threads,
      ready: startWasm(threads).catch((err) => {
        wasmStarted = null; // let a later call try again rather than caching the failure
        throw err;
      }),
    };
    await wasmStarted.ready;
    // The backend starts once per process; if something selected another backend
    // since (a test comparing against cpu), make wasm the active one again.
    if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    registerWasmConvGradients();
    const device = threads > 1 ? `${THREADED_BINARY}, ${threads} threads` : 'tfjs-backend-wasm-simd.wasm, 1 thread';
    return { name, device };
  }
  if (name === 'cpu') {
    await tf.setBackend('cpu');
    return { name, device: 'pure JavaScript' };
  }
  return initWebGpu(opts.allowSoftwareGpu ?? false);
}

async function startWasm(threads: number): Promise<void> {
  if (threads > 1) return useThreadedWasmBackend(threads);
  const require = createRequire(import.meta.url);
  const file = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm');
  await useWasmBackend(await WebAssembly.compile(fs.readFileSync(file)));
}

async function initWebGpu(allowSoftware: boolean): Promise<BackendInfo> {
  let gpuModule: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    gpuModule = (await import('webgpu')) as unknown as typeof gpuModule;
  } catch (err) {
    throw new Error(`train:gpu needs the 'webgpu' package (Dawn): ${(err as Error).message}`);
  }
  // Dawn's globals (navigator.gpu, GPUBufferUsage, …) must exist before tfjs-backend-webgpu loads.
  Object.assign(globalThis, gpuModule.globals);
  const gpu = gpuModule.create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const adapters = await listAdapters(gpu);
  const hardware = adapters.filter((a) => !SOFTWARE_ADAPTERS.test(a.description));
  const chosen = hardware[0] ?? (allowSoftware ? adapters[0] : undefined);
  if (!chosen) {
    const found = adapters.length ? adapters.map((a) => `  - ${a.description}`).join('\n') : '  (none)';
    throw new Error(
      `train:gpu found no hardware GPU. Adapters found:\n${found}\n` +
        'Use `npm run train` for the CPU, or pass --allow-software-gpu to run on a software adapter anyway (very slow).',
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialise');
  return { name: 'webgpu', device: chosen.description };
}

async function listAdapters(gpu: GPU): Promise<{ description: string }[]> {
  const found: { description: string }[] = [];
  for (const powerPreference of ['high-performance', 'low-power'] as const) {
    const adapter = await gpu.requestAdapter({ powerPreference });
    if (!adapter) continue;
    const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
    const description = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
    if (!found.some((f) => f.description === description)) found.push({ description });
  }
  return found;
}
