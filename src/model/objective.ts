/**
 * The forward (noising) process and the training target, for one image:
 *   x_t = √ᾱ_t · x₀ + √(1−ᾱ_t) · ε,    v = √ᾱ_t · ε − √(1−ᾱ_t) · x₀
 * The denoiser is trained to predict v from (x_t, t, class).
 */
import type { Rng } from './rng';
import type { NoiseSchedule } from './schedule';

/** Writes x_t and v for the clean image `x0` (values in [-1, 1]) at `offset` in `noisy` and `target`. */
export function noiseImage(schedule: NoiseSchedule, x0: Float32Array, t: number, rng: Rng, noisy: Float32Array, target: Float32Array, offset: number): void {
  const { signal, noise } = schedule.mix(t);
  for (let i = 0; i < x0.length; i++) {
    const eps = rng.normal();
    noisy[offset + i] = signal * x0[i] + noise * eps;
    target[offset + i] = signal * eps - noise * x0[i];
  }
}

/** MNIST bytes (0 background … 255 ink) to the model's range [-1, 1]. */
export function toModelRange(pixels: Uint8Array, out = new Float32Array(pixels.length)): Float32Array {
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 127.5 - 1;
  return out;
}
