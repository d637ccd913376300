/** The wasm conv gradients (scripts/train/wasm-conv-gradients.ts) against tfjs's reference cpu backend. */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../scripts/train/backend';

type Case = [string, number[], number[], number, 'same' | 'valid'];
const cases: Case[] = [
  ['3×3 stride 1 same', [2, 28, 28, 1], [3, 3, 1, 16], 1, 'same'],
  ['3×3 stride 2 same, even input', [2, 28, 28, 16], [3, 3, 16, 32], 2, 'same'],
  ['3×3 stride 2 same, odd input', [2, 7, 7, 5], [3, 3, 5, 6], 2, 'same'],
  ['1×1 stride 1', [3, 7, 7, 64], [1, 1, 64, 32], 1, 'same'],
  ['3×3 stride 2 valid', [2, 9, 9, 3], [3, 3, 3, 4], 2, 'valid'],
  ['3×3 stride 1 valid', [2, 8, 8, 5], [3, 3, 5, 6], 1, 'valid'],
];

function gradients([, xShape, wShape, stride, pad]: Case, x: number[], w: number[]) {
  const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)));
  return tf.grads(f)([tf.tensor(x, xShape), tf.tensor(w, wShape)]).map((g) => Array.from(g.dataSync()));
}

describe('conv gradients on wasm', () => {
  it.each(cases)('%s matches the cpu backend', async (...c) => {
    await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const x = Array.from(tf.randomNormal(c[1], 0, 1, 'float32', 1).dataSync());
    const w = Array.from(tf.randomNormal(c[2], 0, 1, 'float32', 2).dataSync());
    const reference = gradients(c, x, w);
    await initBackend('wasm');
    // Every case, not only the first, must compare wasm with the cpu reference.
    expect(tf.getBackend()).toBe('wasm');
    const ours = gradients(c, x, w);
    for (const [k, ref] of reference.entries()) {
      const scale = Math.max(...ref.map(Math.abs));
      const worst = Math.max(...ref.map((r, i) => Math.abs(r - ours[k][i])));
      expect(worst / scale, `${k === 0 ? 'input' : 'filter'} gradient`).toBeLessThan(1e-5);
    }
  });
});
