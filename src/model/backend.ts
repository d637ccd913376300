/**
 * TensorFlow.js on WebAssembly SIMD, from a precompiled module.
 *
 * Cloudflare Workers refuse to compile WebAssembly from bytes at run time, so the
 * stock backend (which fetches and compiles `tfjs-backend-wasm-simd.wasm`) cannot
 * start there. The Worker imports the .wasm file as a module instead; wrangler
 * uploads it precompiled and we receive a `WebAssembly.Module`. Emscripten's glue
 * accepts an `instantiateWasm` hook, so we build the backend ourselves: the glue
 * instantiates the module we hand it, and `BackendWasm` wraps the result.
 * (tfjs only wires that hook up for a custom fetch; tfjs issue #8157 asks for
 * a proper option.) The training script uses the same function with a module
 * compiled from the same file, so both run identical kernels. One thread:
 * Workers have no Web Workers for the threaded build (training in Node can opt
 * into it: scripts/train/wasm-threads.ts, which reuses installWasmBackend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
// The plain emscripten glue; tfjs uses it for both the plain and the SIMD binaries.
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';

type EmscriptenModule = ConstructorParameters<typeof BackendWasm>[0];
export type EmscriptenGlue = EmscriptenModule & { cwrap: Function };

let ready: Promise<void> | null = null;

/** Makes `wasm` (built from `module`) the active tfjs backend. Idempotent per isolate. */
export function useWasmBackend(module: WebAssembly.Module): Promise<void> {
  ready ??= start(module).catch((err) => {
    ready = null; // let a later request try again rather than caching the failure
    throw err;
  });
  return ready;
}

async function start(module: WebAssembly.Module): Promise<void> {
  const wasm = (await wasmFactory({
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
      WebAssembly.instantiate(module, imports).then((instance) => receive(instance));
      return {}; // emscripten: "instantiation is asynchronous, exports arrive through receive()"
    },
  })) as EmscriptenGlue;
  await installWasmBackend(wasm);
}

/** Makes an instantiated emscripten module of tfjs-backend-wasm the 'wasm' backend. */
export async function installWasmBackend(wasm: EmscriptenGlue): Promise<void> {
  // The C entry points BackendWasm expects, as the package's own init() wires them.
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
  // The package registered a 'wasm' factory that fetches the binary; replace it with ours.
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => new BackendWasm(wasm), 3);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
}
