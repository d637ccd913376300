/** Node tests run the Worker's own kernels: tfjs WASM SIMD from the same binary, plus the training gradients. */
import { initBackend } from '../../scripts/train/backend';

let ready: Promise<unknown> | null = null;
export function useWasm(): Promise<unknown> {
  ready ??= initBackend('wasm');
  return ready;
}
