/**
 * SDEdit (Meng et al. 2022), for restyling: noise a picture part of the way and
 * denoise it toward another class. `strength` s picks the starting timestep
 * round(s·(T−1)): a small s keeps the layout and stroke of the picture, s = 1
 * starts from pure noise and ignores it. The run always takes `steps` network
 * calls, spread evenly from the start down to 0 ("trailing", as the full-range
 * samplingTimesteps does), so `steps` still means cost.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NoiseSchedule } from './schedule';

export interface SdeditOptions {
  /** The picture to restyle, in [-1, 1], [B, 28, 28, 1]. */
  images: tf.Tensor4D;
  /** 0 (keep the picture) … 1 (ignore it). */
  strength: number;
}

/** Descending timesteps from the strength's start to 0; duplicates (a start below `steps`) dropped. */
export function sdeditTimesteps(schedule: NoiseSchedule, steps: number, strength: number): number[] {
  const start = Math.round(strength * (schedule.timesteps - 1));
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = Math.max(0, Math.round(start - (i * (start + 1)) / steps));
    if (out[out.length - 1] !== t) out.push(t);
  }
  return out;
}

/** The picture noised to timestep t; at the last timestep, exactly the noise (so strength 1 equals plain sampling). */
export function sdeditStart(schedule: NoiseSchedule, images: tf.Tensor4D, t: number, noise: tf.Tensor4D): tf.Tensor4D {
  const mix = t === schedule.timesteps - 1 ? { signal: 0, noise: 1 } : schedule.mix(t);
  return tf.add(tf.mul(images, mix.signal), tf.mul(noise, mix.noise));
}
