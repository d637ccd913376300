/**
 * The reverse process: from Gaussian noise to a digit.
 *
 * Split as in diffusers: a scheduler owns the timesteps and one `step()`, the
 * pipeline (`sample`) owns the loop and classifier-free guidance. Both
 * schedulers work on the model's clean-image estimate x̂₀ = √ᾱ·x_t − √(1−ᾱ)·v.
 *
 *  - DDIM (η = 0):  x_{t'} = √ᾱ' · x̂₀ + √(1−ᾱ') · ε̂
 *  - DPM-Solver++(2M): a second-order multistep solver in λ = log(√ᾱ/√(1−ᾱ));
 *    it reuses the previous x̂₀ to extrapolate, at no extra network call.
 *
 * The same loop edits pictures: `start` begins part-way from a noised picture
 * (SDEdit, sdedit.ts) and `inpaint` keeps part of one (inpaint.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { keepKnown, renoise, type InpaintOptions } from './inpaint';
import { Rng } from './rng';
import { NoiseSchedule } from './schedule';
import { sdeditStart, sdeditTimesteps, type SdeditOptions } from './sdedit';
import { conditioning, denoiseConditioned, type Conditioning, type Params, type UNetConfig } from './unet';

export type SamplerName = 'ddim' | 'dpmpp';
export const SAMPLERS: readonly SamplerName[] = ['ddim', 'dpmpp'];

export interface Model {
  params: Params;
  unet: UNetConfig;
  schedule: NoiseSchedule;
}

export interface SampleOptions {
  /** One class per image; the batch size. */
  labels: number[];
  /** One noise seed per image: image i's starting noise depends only on seeds[i]. */
  seeds: number[];
  steps: number;
  /** Classifier-free guidance scale: 0 unconditional, 1 plain conditional, >1 stronger. */
  guidance: number;
  sampler: SamplerName;
  /** Called after every step with x̂₀ (the current clean estimate, [B,28,28,1]); must not keep the tensor. */
  onStep?: (step: number, x0: tf.Tensor4D) => void;
  /** Restyle: start from these pictures noised to `strength` instead of from pure noise. */
  start?: SdeditOptions;
  /** Inpaint: regenerate only where the mask is 1, keeping these pictures elsewhere. */
  inpaint?: InpaintOptions;
  /**
   * Skip the last step's background snap and return the network's own output,
   * for measuring it (npm run eval's grey census); never served.
   * snapBackground(raw) is exactly what the same call without `raw` returns.
   */
  raw?: boolean;
}

/** Runs the reverse process; returns images in [-1, 1] as [B, 28, 28, 1]. The caller disposes it. */
export function sample(model: Model, opts: SampleOptions): tf.Tensor4D {
  const side = model.unet.imageSize;
  const batch = opts.labels.length;
  // One stream per image: its starting noise first, then any noise inpainting asks for.
  const rngs = opts.seeds.map((seed) => new Rng(seed));
  const drawNoise = (): tf.Tensor4D => {
    const noise = new Float32Array(batch * side * side);
    rngs.forEach((rng, i) => noise.set(rng.normals(side * side), i * side * side));
    return tf.tensor4d(noise, [batch, side, side, 1]);
  };
  const { start, inpaint } = opts;
  const repeats = inpaint?.resample ?? 1;
  // A multistep solver's history does not survive going back up in noise.
  if (repeats > 1 && opts.sampler !== 'ddim') throw new Error('RePaint resampling needs the ddim sampler');

  const timesteps = start ? sdeditTimesteps(model.schedule, opts.steps, start.strength) : model.schedule.samplingTimesteps(opts.steps);
  const Scheduler = opts.sampler === 'ddim' ? DdimScheduler : DpmSolverPP2MScheduler;
  const scheduler = new Scheduler(model.schedule, opts.steps, timesteps, !opts.raw);
  const stepSize = distilledStepSize(model, opts.steps, opts.sampler, start !== undefined);
  const velocity = guidedVelocity(model, opts.labels, opts.guidance, stepSize, scheduler.timesteps);
  let x = start ? tf.tidy(() => sdeditStart(model.schedule, start.images, timesteps[0], drawNoise())) : drawNoise();
  scheduler.timesteps.forEach((t, i) => {
    for (let r = 0; r < repeats; r++) {
      const next = tf.tidy(() => {
        const { xPrev, x0 } = scheduler.step(velocity.predict(x, i), t, x);
        if (r === repeats - 1) opts.onStep?.(i, x0);
        if (!inpaint) return xPrev;
        const reached = mixAt(model.schedule, scheduler.previous(t));
        const kept = keepKnown(xPrev, inpaint, reached, drawNoise);
        // RePaint: every repeat but the last goes back up to t and takes the step again.
        return r < repeats - 1 ? renoise(kept, reached, model.schedule.mix(t), drawNoise()) : kept;
      });
      x.dispose();
      x = next;
    }
  });
  scheduler.dispose();
  velocity.dispose();
  return x;
}

/**
 * Network rows per image and step. Classifier-free guidance runs a conditional
 * and an unconditional row; a guidance-distilled network takes w as an input
 * and needs one row at any scale.
 */
export function rowsPerImage(unet: UNetConfig, guidance: number): 1 | 2 {
  return unet.guidanceFeatures || guidance === 0 || guidance === 1 ? 1 : 2;
}

/**
 * The step size a step-distilled network is told: T/steps when the sampler
 * takes DDIM steps on the full trailing grid of a count it was distilled for,
 * else 0 (its small-step mode, which any sampler and step count can use).
 */
export function distilledStepSize(model: Model, steps: number, sampler: SamplerName, partial: boolean): number {
  const distilled = model.unet.stepFeatures && model.unet.distilledSteps?.includes(steps) && sampler === 'ddim' && !partial;
  return distilled ? model.schedule.timesteps / steps : 0;
}

/**
 * v prediction at guidance `guidance`: v_u + w·(v_c − v_u), from one batch of rows.
 * The conditioning depends on the step but not on the image, so it is made for
 * every step of the run at once, as one batch (rows × steps), and split per
 * step; `predict` then runs only the image path. `dispose` frees it.
 */
function guidedVelocity(model: Model, labels: number[], guidance: number, stepSize: number, timesteps: number[]) {
  const { unet, params } = model;
  const batch = labels.length;
  const distilled = Boolean(unet.guidanceFeatures);
  const passes = distilled || rowsPerImage(unet, guidance) === 1
    ? [distilled || guidance === 1 ? labels : labels.map(() => unet.classes)]
    : [labels, labels.map(() => unet.classes)];
  const rows = passes.flat();
  const perStep: Conditioning[] = tf.tidy(() => {
    const all = rows.length * timesteps.length;
    const cond = conditioning(
      params,
      unet,
      tf.tensor1d(timesteps.flatMap((t) => rows.map(() => t))),
      tf.tensor1d(timesteps.flatMap(() => rows), 'int32'),
      model.schedule.timesteps,
      { inference: true, ...(distilled ? { guidance: tf.fill([all], guidance) as tf.Tensor1D, stepSize: tf.fill([all], stepSize) as tf.Tensor1D } : {}) },
    );
    const pieces = Object.fromEntries(Object.entries(cond).map(([block, c]) => [block, tf.split(c, timesteps.length)]));
    return timesteps.map((_, i) => Object.fromEntries(Object.keys(cond).map((block) => [block, pieces[block][i]])) as Conditioning);
  });
  return {
    /** v at the run's `step`-th timestep. */
    predict(x: tf.Tensor4D, step: number): tf.Tensor4D {
      const v = denoiseConditioned(params, passes.length === 2 ? tf.concat([x, x]) : x, perStep[step], { inference: true });
      if (passes.length === 1) return v;
      const [vCond, vUncond] = tf.split(v, [batch, batch]);
      return tf.add(vUncond, tf.mul(tf.sub(vCond, vUncond), guidance));
    },
    dispose(): void {
      tf.dispose(perStep.flatMap((cond) => Object.values(cond)));
    },
  };
}

interface StepResult {
  xPrev: tf.Tensor4D;
  x0: tf.Tensor4D;
}

/** Signal and noise weights (√ᾱ, √(1−ᾱ)) at a timestep; t = -1 is the clean image. */
function mixAt(schedule: NoiseSchedule, t: number) {
  return t < 0 ? { signal: 1, noise: 0 } : schedule.mix(t);
}

/**
 * Grey levels at or below this come out as exact black. The network leaves a
 * faint haze over the background (1-8/255 after 10 steps, up to ~40/255 after
 * 2: 40 % and 65 % of pixels exactly 0, against 81 % in MNIST); snapping it at
 * the last step gives the clean black of real digits. Strokes keep their ink:
 * in MNIST only 2 % of pixels lie in 1-32, the faintest anti-aliased edges.
 */
export const BACKGROUND_SNAP_GREY = 32;
const SNAP_BELOW = -1 + (BACKGROUND_SNAP_GREY + 0.5) / 127.5;

/** Images in [-1, 1] with the background haze (grey ≤ BACKGROUND_SNAP_GREY) set to black. */
export function snapBackground(x0: tf.Tensor4D): tf.Tensor4D {
  return tf.where(tf.less(x0, SNAP_BELOW), tf.fill(x0.shape, -1), x0);
}

/**
 * x̂₀ from v, clipped to the data range [-1, 1] (keeps few-step samples from
 * overshooting); at the last step (`final`) the background haze is snapped to black.
 */
function cleanEstimate(schedule: NoiseSchedule, v: tf.Tensor4D, t: number, x: tf.Tensor4D, final: boolean): tf.Tensor4D {
  const { signal, noise } = schedule.mix(t);
  const x0 = tf.clipByValue(tf.sub(tf.mul(x, signal), tf.mul(v, noise)), -1, 1) as tf.Tensor4D;
  return final ? snapBackground(x0) : x0;
}

export class DdimScheduler {
  readonly timesteps: number[];
  /**
   * `timesteps` (descending) overrides the full-range spacing, e.g. for SDEdit's partial run;
   * `snapFinal` false keeps the last step's haze (SampleOptions.raw).
   */
  constructor(protected readonly schedule: NoiseSchedule, steps: number, timesteps = schedule.samplingTimesteps(steps), protected readonly snapFinal = true) {
    this.timesteps = timesteps;
  }

  step(v: tf.Tensor4D, t: number, x: tf.Tensor4D): StepResult {
    const x0 = cleanEstimate(this.schedule, v, t, x, this.snapFinal && this.previous(t) < 0);
    const now = this.schedule.mix(t);
    const prev = mixAt(this.schedule, this.previous(t));
    // ε̂ = (x_t − √ᾱ·x̂₀)/√(1−ᾱ), recomputed from the clipped x̂₀ so the pair stays
    // consistent with x_t; folded into the step, x_{t'} = √ᾱ'·x̂₀ + √(1−ᾱ')·ε̂ is one
    // weighted sum of x̂₀ and x_t (three kernel calls instead of six).
    const keep = prev.noise / now.noise;
    return { xPrev: tf.add(tf.mul(x0, prev.signal - now.signal * keep), tf.mul(x, keep)), x0 };
  }

  previous(t: number): number {
    const i = this.timesteps.indexOf(t);
    return i + 1 < this.timesteps.length ? this.timesteps[i + 1] : -1;
  }

  dispose(): void {}
}

export class DpmSolverPP2MScheduler extends DdimScheduler {
  private prevX0: tf.Tensor4D | null = null;
  private prevH = 0;

  override step(v: tf.Tensor4D, t: number, x: tf.Tensor4D): StepResult {
    const tPrev = this.previous(t);
    const x0 = cleanEstimate(this.schedule, v, t, x, this.snapFinal && tPrev < 0);
    const now = this.schedule.mix(t);
    const prev = mixAt(this.schedule, tPrev);
    let xPrev: tf.Tensor4D;
    if (tPrev < 0) {
      xPrev = x0; // last step: first order, straight to the clean estimate (diffusers' lower_order_final)
    } else {
      const h = lambda(prev) - lambda(now);
      // D = x̂₀ for the first step, else the second-order extrapolation from the previous x̂₀.
      let d: tf.Tensor4D = x0;
      if (this.prevX0) {
        const r = this.prevH / h;
        d = tf.sub(tf.mul(x0, 1 + 1 / (2 * r)), tf.mul(this.prevX0, 1 / (2 * r)));
      }
      xPrev = tf.sub(tf.mul(x, prev.noise / now.noise), tf.mul(d, prev.signal * Math.expm1(-h)));
      this.prevH = h;
    }
    this.prevX0?.dispose();
    this.prevX0 = tf.keep(x0.clone());
    return { xPrev, x0 };
  }

  override dispose(): void {
    this.prevX0?.dispose();
    this.prevX0 = null;
  }
}

function lambda(mix: { signal: number; noise: number }): number {
  return Math.log(mix.signal / mix.noise);
}
