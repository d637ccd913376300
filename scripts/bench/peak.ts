/**
 * What this machine's backend can do at best, measured in the same run: a
 * large matmul and a large 3×3 convolution on the active backend (WASM SIMD,
 * one thread: XNNPACK's best case). The denoiser's own layers are small
 * (batch 1, 16-64 channels), so reaching a fraction of this is expected; the
 * ratio says how much a bigger batch or better kernels could still win.
 */
import * as tf from '@tensorflow/tfjs-core';
import { timeRepeated } from './timing';

export interface Peak {
  matmul: { shape: string; gflop: number; medianMs: number; gflops: number };
  conv: { shape: string; gflop: number; medianMs: number; gflops: number };
  /** The better of the two. */
  gflops: number;
}

export async function measurePeak(): Promise<Peak> {
  const n = 1024;
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  const matmulGflop = (2 * n * n * n) / 1e9;
  const mm = await timeRepeated(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, { warmup: 2, reps: 10, maxSeconds: 20 });

  const [batch, side, cin, cout] = [16, 56, 64, 64];
  const x = tf.randomUniform([batch, side, side, cin], -1, 1, 'float32', 3) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, cin, cout], -1, 1, 'float32', 4) as tf.Tensor4D;
  const convGflop = (2 * batch * side * side * 9 * cin * cout) / 1e9;
  const cv = await timeRepeated(async () => {
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
  }, { warmup: 2, reps: 10, maxSeconds: 20 });
  tf.dispose([a, b, x, w]);

  const matmul = { shape: `${n}×${n} · ${n}×${n}`, gflop: matmulGflop, medianMs: mm.medianMs, gflops: matmulGflop / (mm.medianMs / 1000) };
  const conv = { shape: `${batch}×${side}×${side}×${cin} ⊛ 3×3×${cin}×${cout}`, gflop: convGflop, medianMs: cv.medianMs, gflops: convGflop / (cv.medianMs / 1000) };
  return { matmul, conv, gflops: Math.max(matmul.gflops, conv.gflops) };
}
