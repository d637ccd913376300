/**
 * The network leaves a faint haze over the background: after the default
 * request's 2 steps most background pixels read 1-32 of 255, where MNIST's are
 * exactly 0. MNIST's own faint pixels are anti-aliased stroke rims: 99.6 % of
 * its 1-32 pixels touch a pixel above 128. So haze is told from rim by that
 * test: a faint pixel with no inked neighbour becomes black, and every pixel
 * next to ink is left exactly as drawn. (A global threshold, the previous
 * rule, erased the rims along with the haze and left strokes with hard edges.)
 */
import * as tf from '@tensorflow/tfjs-core';

/** Grey levels (of 255) at or below this are faint: haze, unless next to ink. */
export const FAINT_GREY = 32;
/** Grey levels above this are ink. */
export const INK_GREY = 128;

/** In the model's range [-1, 1]: grey level g sits at g / 127.5 − 1 (rounded to the nearest level). */
const level = (grey: number) => (grey + 0.5) / 127.5 - 1;

/** Images in [-1, 1] ([B, H, W, 1]) with faint pixels that touch no ink set to black (-1). */
export function clearHaze(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    // The brightest of each pixel's 3×3 neighbourhood (itself included: a faint pixel is never ink).
    const neighbourhood = tf.maxPool(images, 3, 1, 'same');
    const haze = tf.logicalAnd(tf.less(images, level(FAINT_GREY)), tf.lessEqual(neighbourhood, level(INK_GREY)));
    return tf.where(haze, tf.fill(images.shape, -1), images) as tf.Tensor4D;
  });
}
