/**
 * Denoisers whose exact answer is known in closed form, for driving the real
 * sampler (src/model/sampler.ts reverseProcess) where the network would be.
 *
 * Data: every pixel i independently N(μᵢ, s²); s = 0 is a single point (the
 * image μ). At noise level (α, σ) = (√ᾱ, √(1−ᾱ)), x = α·x₀ + σ·ε, so x ~ N(αμ, α²s² + σ²)
 * and the exact (minimum-error) clean estimate is the posterior mean
 *     x̂₀ = μ + α·s²/(α²s² + σ²)·(x − αμ),
 * whose v (v = α·ε − σ·x₀, and α² + σ² = 1) is v̂ = (α·x − x̂₀)/σ.
 * The probability-flow ODE maps a start x at (α, σ) to the clean
 *     x₀ = μ + s·(x − αμ)/√(α²s² + σ²)
 * (it keeps the standardised value (x − αμ)/√(α²s² + σ²) of every pixel).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Velocity } from '../../src/model/sampler';
import type { NoiseSchedule } from '../../src/model/schedule';

export interface GaussianData {
  /** Per-pixel mean, one image (it is the same for every image of the batch). */
  mean: Float64Array;
  /** Per-pixel standard deviation; 0: the data is the single point `mean`. */
  sd: number;
}

export interface Level {
  signal: number;
  noise: number;
}

/** The level of timestep t; t = -1 is the clean image. */
export function levelAt(schedule: NoiseSchedule, t: number): Level {
  return t < 0 ? { signal: 1, noise: 0 } : schedule.mix(t);
}

/** Posterior mean x̂₀ of pixel value x at pixel i, in float64. */
export function cleanEstimate(data: GaussianData, { signal: a, noise: s }: Level, x: number, i: number): number {
  const mu = data.mean[i];
  return mu + ((a * data.sd ** 2) / (a * a * data.sd ** 2 + s * s)) * (x - a * mu);
}

/** Where the probability-flow ODE takes pixel value x at level `from` to the clean image. */
export function flowToClean(data: GaussianData, from: Level, x: number, i: number): number {
  const mu = data.mean[i];
  return mu + (data.sd * (x - from.signal * mu)) / Math.sqrt(from.signal ** 2 * data.sd ** 2 + from.noise ** 2);
}

/** What the denoiser was asked: its input images and timestep, call by call. */
export interface Call {
  t: number;
  step: number;
  x: Float32Array;
}

/** The exact v of `data` as a Velocity for reverseProcess (computed in float64), recording every call in `calls`. */
export function exactVelocity(schedule: NoiseSchedule, data: GaussianData, calls: Call[] = []): Velocity {
  return (x, t, step) => {
    const pixels = x.dataSync() as Float32Array;
    calls.push({ t, step, x: pixels.slice() });
    const level = schedule.mix(t);
    const side = data.mean.length;
    const v = pixels.map((value, j) => (level.signal * value - cleanEstimate(data, level, value, j % side)) / level.noise);
    return tf.tensor4d(v, x.shape);
  };
}
