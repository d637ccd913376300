/**
 * The evaluation classifier: a small CNN that reads 28×28 digits. It is a
 * measuring instrument for `npm run eval` (conditional accuracy, and the
 * feature space FID and diversity are computed in), never served.
 *
 *   x (28²×1, ink in [0, 1]) ─conv3×3 32─▶ pool (14²) ─conv3×3 64─▶ pool (7²)
 *     ─conv3×3 64─▶ pool (3²) ─dense 128─▶ features ─dense 10─▶ logits
 *
 * ReLU after every layer but the last. The third conv + pool keeps the first
 * dense layer at 576×128 instead of 3136×128, so the int8 weights stay near
 * 130 KB. Written with tfjs-core ops (not tfjs-layers) so it runs on the same
 * wasm backend and the same training helpers as the denoiser.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec, Params } from '../../src/model/unet';

export const FEATURE_DIM = 128;
export const CLASSES = 10;

export const CLASSIFIER_SPECS: ParamSpec[] = (() => {
  const specs: ParamSpec[] = [];
  const layer = (name: string, shape: number[], kind: 'conv' | 'dense') =>
    specs.push({ name: `${name}.w`, shape, kind }, { name: `${name}.b`, shape: [shape[shape.length - 1]], kind: 'bias' });
  layer('conv1', [3, 3, 1, 32], 'conv');
  layer('conv2', [3, 3, 32, 64], 'conv');
  layer('conv3', [3, 3, 64, 64], 'conv');
  layer('dense1', [3 * 3 * 64, FEATURE_DIM], 'dense');
  layer('dense2', [FEATURE_DIM, CLASSES], 'dense');
  return specs;
})();

/** Logits [B, 10] and penultimate features [B, 128] for images [B, 28, 28, 1] in [0, 1]. */
export function classifierForward(p: Params, x: tf.Tensor4D): { logits: tf.Tensor2D; features: tf.Tensor2D } {
  return tf.tidy(() => {
    const conv = (h: tf.Tensor4D, name: string) =>
      tf.fused.conv2d({ x: h, filter: p[`${name}.w`] as tf.Tensor4D, bias: p[`${name}.b`], strides: 1, pad: 'same', activation: 'relu' });
    const pool = (h: tf.Tensor4D) => tf.maxPool(h, 2, 2, 'valid');
    const h = pool(conv(pool(conv(pool(conv(x, 'conv1')), 'conv2')), 'conv3'));
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    const features = tf.fused.matMul({ a: flat, b: p['dense1.w'] as tf.Tensor2D, bias: p['dense1.b'], activation: 'relu' });
    const logits = tf.fused.matMul({ a: features, b: p['dense2.w'] as tf.Tensor2D, bias: p['dense2.b'] });
    return { logits, features };
  }) as { logits: tf.Tensor2D; features: tf.Tensor2D };
}

/** Grey bytes (0 background … 255 ink, as MNIST and the Worker's PNGs) to ink in [0, 1]. */
export function unitPixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

/** count × 784 grey bytes to the classifier's input tensor. */
export function toClassifierInput(pixels: Uint8Array, count: number): tf.Tensor4D {
  return tf.tensor4d(unitPixels(pixels.subarray(0, count * 784)), [count, 28, 28, 1]);
}

export interface Readout {
  /** Most likely class per image. */
  predicted: Uint8Array;
  /** count × FEATURE_DIM penultimate activations, row-major. */
  features: Float32Array;
  count: number;
}

/** Runs the classifier over `count` images in batches (bounded wasm memory). */
export async function classify(p: Params, pixels: Uint8Array, count: number, batchSize = 500): Promise<Readout> {
  const predicted = new Uint8Array(count);
  const features = new Float32Array(count * FEATURE_DIM);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const [classes, feats] = tf.tidy(() => {
      const out = classifierForward(p, toClassifierInput(pixels.subarray(start * 784, (start + size) * 784), size));
      return [tf.argMax(out.logits, 1), out.features];
    });
    predicted.set(await classes.data(), start);
    features.set((await feats.data()) as Float32Array, start * FEATURE_DIM);
    tf.dispose([classes, feats]);
  }
  return { predicted, features, count };
}

/** Share of images whose predicted class is `labels[i]`. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): { correct: number; accuracy: number } {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return { correct, accuracy: correct / labels.length };
}
