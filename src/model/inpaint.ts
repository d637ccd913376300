/**
 * Inpainting by known-region replacement (as in Lugmayr et al. 2022, "RePaint"):
 * after every step the pixels to keep are overwritten with the known image
 * noised to the level the step reached, so the regenerated pixels are drawn
 * consistently with them; after the last step (no noise left) the kept pixels
 * are the known image exactly. RePaint's resampling (optional) then goes back
 * up to the step's start with fresh noise and takes it again, which lets the
 * two regions agree better; r repeats cost r times the network calls.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface InpaintOptions {
  /** The picture to complete, in [-1, 1], [B, 28, 28, 1]. */
  images: tf.Tensor4D;
  /** 1 where the picture is regenerated, 0 where `images` is kept; [B, 28, 28, 1]. */
  mask: tf.Tensor4D;
  /** Times each step is taken (1: plain replacement; >1: RePaint resampling, ddim only). */
  resample: number;
}

/** √ᾱ and √(1−ᾱ) of a noise level. */
export interface Mix {
  signal: number;
  noise: number;
}

/** `x` at noise level `mix` with its kept pixels replaced by √ᾱ·known + √(1−ᾱ)·ε. */
export function keepKnown(x: tf.Tensor4D, opts: InpaintOptions, mix: Mix, noise: () => tf.Tensor4D): tf.Tensor4D {
  const known = mix.noise === 0 ? opts.images : tf.add(tf.mul(opts.images, mix.signal), tf.mul(noise(), mix.noise));
  return tf.add(tf.mul(x, opts.mask), tf.mul(known, tf.sub(1, opts.mask)));
}

/** Forward from level `from` to the noisier `to`: x_to = √(ᾱ_to/ᾱ_from)·x + √(1 − ᾱ_to/ᾱ_from)·ε. */
export function renoise(x: tf.Tensor4D, from: Mix, to: Mix, noise: tf.Tensor4D): tf.Tensor4D {
  const keep = to.signal / from.signal;
  return tf.add(tf.mul(x, keep), tf.mul(noise, Math.sqrt(1 - keep * keep)));
}
