/**
 * tfjs-backend-wasm's threaded SIMD build in Node, for `--threads N` (N ≥ 2).
 *
 * The stock package never picks this build in Node: its WASM_HAS_MULTITHREAD_SUPPORT
 * flag is hard-wired false there (tfjs issue #3830; PR #8059 to fix it was closed),
 * and its init hands the pthread workers Blob URLs, which worker_threads cannot
 * start. The emscripten glue itself runs pthreads on worker_threads, so we start
 * it as the stock init would, with Node-friendly pieces:
 *  - the pthread worker script is a real file (wasm-pthread-worker.cjs);
 *  - each worker loads the glue from its file path (`mainScriptUrlOrBlob`);
 *  - the binary sizes its pool as min(requested, 8, logical cores / 2), assuming
 *    two hyperthreads per core, which caps a 2-core machine at 1 thread; we report
 *    twice the cores Node sees, so the cap is the machine's own core count.
 * The Worker keeps the single-threaded build (src/model/backend.ts).
 */
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { installWasmBackend, type EmscriptenGlue } from '../../src/model/backend';

type ThreadedGlue = EmscriptenGlue & { PThread: { runningWorkers: { unref(): void }[] } };
type Factory = (config: Record<string, unknown>) => Promise<ThreadedGlue>;

const require = createRequire(import.meta.url);
const GLUE = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
export const THREADED_BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';
const PTHREAD_WORKER = fileURLToPath(new URL('./wasm-pthread-worker.cjs', import.meta.url));

/** Makes the threaded build the 'wasm' backend with `threads` XNNPACK threads. */
export async function useThreadedWasmBackend(threads: number): Promise<void> {
  const cores = os.availableParallelism();
  const module = await WebAssembly.compile(fs.readFileSync(GLUE.replace(/\.js$/, '.wasm')));
  const factory = require(GLUE) as Factory;
  const wasm = await factory({
    mainScriptUrlOrBlob: GLUE,
    locateFile: (file: string, dir: string) => (file.endsWith('.worker.js') ? PTHREAD_WORKER : dir + file),
    instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      const env = { ...imports.env, emscripten_num_logical_cores: () => 2 * cores };
      // The module goes to receive() too: the glue posts it to each pthread worker.
      WebAssembly.instantiate(module, { ...imports, env }).then((instance) => receive(instance, module));
      return {};
    },
  });
  setThreadsCount(threads); // read by BackendWasm's constructor, which creates the pool
  await installWasmBackend(wasm);
  const got = wasm.tfjs.getThreadsCount();
  if (got !== threads) throw new Error(`--threads ${threads}: the wasm backend started ${got} (at most ${Math.min(8, cores)} on this machine)`);
  // A running pthread holds a reference that would keep Node alive after the script's last line.
  for (const worker of wasm.PThread.runningWorkers) worker.unref();
}
