/**
 * The model's images as grey pixels: what every route encodes and what the
 * browser client returns. Kept apart from png.ts so the client carries no PNG encoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clearHaze } from './haze';

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, row-major; 0 black, 255 white. */
  pixels: Uint8Array;
}

/**
 * Images in [-1, 1] to grey levels 0-255 (int32), background haze cleared (haze.ts),
 * synchronously: for callbacks that run inside the sampler's loop too.
 */
export function greyLevels(images: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => rawGreyLevels(clearHaze(images)));
}

/** Images in [-1, 1] to grey levels 0-255 (int32) as the network drew them: what eval's grey census reads. */
export function rawGreyLevels(images: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.round(tf.mul(tf.add(tf.clipByValue(images, -1, 1), 1), 127.5)), 'int32'));
}

/**
 * Images in [-1, 1] ([B, H, W, 1]) to grey bytes, one GreyImage per batch row;
 * `raw`: as the network drew them, haze and all (for eval's census), never served.
 */
export async function tensorToGrey(images: tf.Tensor4D, { raw = false } = {}): Promise<GreyImage[]> {
  const [batch, height, width] = images.shape;
  const bytes = raw ? rawGreyLevels(images) : greyLevels(images);
  const data = await bytes.data();
  bytes.dispose();
  return Array.from({ length: batch }, (_, b) => ({ width, height, pixels: Uint8Array.from(data.subarray(b * width * height, (b + 1) * width * height)) }));
}
