/**
 * Reading digits with an evaluation classifier (classifier-nets.ts): the
 * predicted class and the feature vector that FID, KID, precision/recall and
 * diversity are computed in. Instruments for `npm run eval`, never served.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../../src/model/unet';
import type { ClassifierNet } from './classifier-nets';

/** A classifier architecture with its weights. */
export interface Classifier {
  net: ClassifierNet;
  params: Params;
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
  /** count × net.featureDim penultimate activations, row-major. */
  features: Float32Array;
  count: number;
}

/** Runs the classifier over `count` images in batches (bounded wasm memory). */
export async function classify({ net, params }: Classifier, pixels: Uint8Array, count: number, batchSize = 500): Promise<Readout> {
  const predicted = new Uint8Array(count);
  const features = new Float32Array(count * net.featureDim);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const [classes, feats] = tf.tidy(() => {
      const out = net.forward(params, toClassifierInput(pixels.subarray(start * 784, (start + size) * 784), size));
      return [tf.argMax(out.logits, 1), out.features];
    });
    predicted.set(await classes.data(), start);
    features.set((await feats.data()) as Float32Array, start * net.featureDim);
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
