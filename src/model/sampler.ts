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
import { log } from './portable-math';
import { Rng } from './rng';
import { samplingAt, type GuidanceDefaults } from './sampling-defaults';
import { NoiseSchedule } from './schedule';
import { sdeditStart, sdeditTimesteps, type SdeditOptions } from './sdedit';
import type { Style } from '../image/style';
import { conditioningCacheOf, type RunConditioning } from './conditioning-cache';
import { conditioning, denoiseConditioned, type Conditioning, type Params, type UNetConfig } from './unet';

export type SamplerName = 'ddim' | 'dpmpp';
export const SAMPLERS: readonly SamplerName[] = ['ddim', 'dpmpp'];

export interface Model {
  params: Params;
  unet: UNetConfig;
  schedule: NoiseSchedule;
  /** The set's sampling defaults (its manifest's): the guidance interval of a run that names none follows its step count (samplingAt); absent: every step. */
  sampling?: GuidanceDefaults;
}

export interface SampleOptions {
  /** One class per image; the batch size. */
  labels: number[];
  /** One noise seed per image: image i's starting noise depends only on seeds[i]. */
  seeds: number[];
  steps: number;
  /** Classifier-free guidance scale: 0 unconditional, 1 plain conditional, >1 stronger. */
  guidance: number;
  /**
   * How each image is written (slant, thickness: src/image/style.ts), one per image or null
   * for no style; for networks with style inputs (others ignore it). Default: no style.
   */
  styles?: (Style | null)[];
  /** Apply `guidance` only at these noise levels, plain conditional (w = 1) elsewhere; default: the model's own at this step count (samplingAt), else every step. */
  guidanceInterval?: GuidanceInterval;
  sampler: SamplerName;
  /** Called after every step with x̂₀ (the current clean estimate, [B,28,28,1]); must not keep the tensor. */
  onStep?: (step: number, x0: tf.Tensor4D) => void;
  /** Restyle: start from these pictures noised to `strength` instead of from pure noise. */
  start?: SdeditOptions;
  /** Inpaint: regenerate only where the mask is 1, keeping these pictures elsewhere. */
  inpaint?: InpaintOptions;
}

/**
 * Guidance limited to a band of noise levels (Kynkäänniemi et al. 2024, "Applying
 * Guidance in a Limited Interval Improves Sample and Distribution Quality"):
 * at high noise guidance pulls every sample toward one layout of its class (less
 * variety), at low noise it only sharpens detail; in between it makes the class.
 * Bounds are fractions of the schedule's T: a step at timestep t is guided when
 * from·T ≤ t ≤ to·T.
 */
export interface GuidanceInterval {
  from: number;
  to: number;
}

/** The scale each step of a run uses: `guidance` inside the interval, 1 outside. */
export function guidancePerStep(guidance: number, timesteps: number[], T: number, interval?: GuidanceInterval): number[] {
  return timesteps.map((t) => (!interval || (t >= interval.from * T && t <= interval.to * T) ? guidance : 1));
}

/** Runs the reverse process; returns images in [-1, 1] as [B, 28, 28, 1]. The caller disposes it. */
export function sample(model: Model, opts: SampleOptions): tf.Tensor4D {
  const stepSize = distilledStepSize(model, opts.steps, opts.sampler, opts.start !== undefined);
  const timesteps = runTimesteps(model.schedule, opts);
  // The set's interval belongs to the run's step count, whether the run's guidance is its default or not.
  const interval = opts.guidanceInterval ?? (model.sampling && samplingAt(model.sampling, opts.steps).guidanceInterval);
  const scales = guidancePerStep(opts.guidance, timesteps, model.schedule.timesteps, interval);
  const velocity = guidedVelocity(model, opts.labels, scales, stepSize, timesteps, opts.styles);
  try {
    return reverseProcess(model.schedule, model.unet.imageSize, (x, _t, i) => velocity.predict(x, i), opts);
  } finally {
    velocity.dispose();
  }
}

/** v predicted for the images x at timestep t, the run's i-th step. */
export type Velocity = (x: tf.Tensor4D, t: number, i: number) => tf.Tensor4D;

/** The loop's own options: everything but what picks and guides the network. */
export type ReverseOptions = Pick<SampleOptions, 'seeds' | 'steps' | 'sampler' | 'onStep' | 'start' | 'inpaint'>;

/** The descending timesteps a run visits: the full range, or SDEdit's part of it. */
function runTimesteps(schedule: NoiseSchedule, opts: Pick<ReverseOptions, 'steps' | 'start'>): number[] {
  return opts.start ? sdeditTimesteps(schedule, opts.steps, opts.start.strength) : schedule.samplingTimesteps(opts.steps);
}

/**
 * The reverse process for any v predictor: the network (`sample`) or, in
 * tests, a denoiser whose exact answer is known in closed form. Images are
 * side×side; one image per seed.
 */
export function reverseProcess(schedule: NoiseSchedule, side: number, velocity: Velocity, opts: ReverseOptions): tf.Tensor4D {
  const batch = opts.seeds.length;
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

  const timesteps = runTimesteps(schedule, opts);
  const scheduler = opts.sampler === 'ddim' ? new DdimScheduler(schedule, opts.steps, timesteps) : new DpmSolverPP2MScheduler(schedule, opts.steps, timesteps);
  let x = start ? tf.tidy(() => sdeditStart(schedule, start.images, timesteps[0], drawNoise())) : drawNoise();
  timesteps.forEach((t, i) => {
    for (let r = 0; r < repeats; r++) {
      const next = tf.tidy(() => {
        const { xPrev, x0 } = scheduler.step(velocity(x, t, i), t, x);
        if (r === repeats - 1) opts.onStep?.(i, x0);
        if (!inpaint) return xPrev;
        const reached = mixAt(schedule, scheduler.previous(t));
        const kept = keepKnown(xPrev, inpaint, reached, drawNoise);
        // RePaint: every repeat but the last goes back up to t and takes the step again.
        return r < repeats - 1 ? renoise(kept, reached, schedule.mix(t), drawNoise()) : kept;
      });
      x.dispose();
      x = next;
    }
  });
  scheduler.dispose();
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
 * v prediction at each step's guidance scale w (`scales`, one per timestep):
 * v_u + w·(v_c − v_u), from one batch of rows.
 * The conditioning depends on the step but not on the image, so it is made for
 * every step of the run at once (runConditioning); `predict` then runs only the
 * image path. `dispose` frees it.
 */
function guidedVelocity(model: Model, labels: number[], scales: number[], stepSize: number, timesteps: number[], styles?: (Style | null)[]) {
  const { unet, params } = model;
  const batch = labels.length;
  const distilled = Boolean(unet.guidanceFeatures);
  // A network without w as input runs one row per image only when every step asks for the same one.
  const single = scales.every((w) => w === scales[0] && rowsPerImage(unet, w) === 1);
  const conditional = { labels, styled: true };
  const unconditional = { labels: labels.map(() => unet.classes), styled: false };
  const passes = distilled || single ? [distilled || scales[0] === 1 ? conditional : unconditional] : [conditional, unconditional];
  const rows = passes.flatMap((pass) => pass.labels);
  const perStep = runConditioning(model, {
    t: timesteps.flatMap((t) => rows.map(() => t)),
    labels: timesteps.flatMap(() => rows),
    ...(distilled ? { guidance: scales.flatMap((w) => rows.map(() => w)), stepSize } : {}),
    ...(unet.styleFeatures && styles ? { style: styleInput(styles, passes, timesteps.length) } : {}),
  }, timesteps.length);
  return {
    /** v at the run's `step`-th timestep. */
    predict(x: tf.Tensor4D, step: number): tf.Tensor4D {
      const v = denoiseConditioned(params, passes.length === 2 ? tf.concat([x, x]) : x, perStep[step], { inference: true });
      if (passes.length === 1) return v;
      const [vCond, vUncond] = tf.split(v, [batch, batch]);
      return tf.add(vUncond, tf.mul(tf.sub(vCond, vUncond), scales[step]));
    },
    dispose(): void {
      tf.dispose(perStep.flatMap((cond) => Object.values(cond)));
    },
  };
}

/** What the conditioning of a run is made from, one entry per row of every step (step-major). */
interface ConditioningInputs {
  t: number[];
  labels: number[];
  /** Guidance-distilled networks: each row's scale, and the run's step size. */
  guidance?: number[];
  stepSize?: number;
  /** Networks with style inputs, given a style: [slant, thickness, given] per row. */
  style?: number[][];
}

/**
 * The conditioning of every step of a run, one Conditioning per step. Made as one
 * batch (rows × steps) and kept in the weight set's cache (conditioning-cache.ts),
 * so a run asked before costs no kernel call here.
 */
function runConditioning(model: Model, inputs: ConditioningInputs, steps: number): Conditioning[] {
  const cache = conditioningCacheOf(model.params);
  const key = JSON.stringify(inputs);
  const cached = cache.get(key);
  if (cached) return perStepTensors(cached, steps);
  const { unet, params } = model;
  const { t, labels, guidance, stepSize, style } = inputs;
  const made = tf.tidy(() =>
    conditioning(params, unet, tf.tensor1d(t), tf.tensor1d(labels, 'int32'), model.schedule.timesteps, {
      inference: true,
      ...(guidance ? { guidance: tf.tensor1d(guidance), stepSize: tf.fill([t.length], stepSize ?? 0) as tf.Tensor1D } : {}),
      ...(style ? { style: tf.tensor2d(style) } : {}),
    }),
  );
  const floats = Object.values(made).reduce((n, c) => n + c.size, 0);
  if (floats > cache.budget / 8) {
    // Too large to keep (a big sheet): split the tensors as they are.
    return tf.tidy(() => {
      const pieces = Object.fromEntries(Object.entries(made).map(([block, c]) => [block, tf.split(c, steps)]));
      tf.dispose(Object.values(made));
      return Array.from({ length: steps }, (_, i) => Object.fromEntries(Object.keys(pieces).map((block) => [block, pieces[block][i]])) as Conditioning);
    });
  }
  const run = Object.fromEntries(Object.entries(made).map(([block, c]) => [block, { values: c.dataSync() as Float32Array, channels: c.shape[3] }]));
  tf.dispose(Object.values(made));
  cache.set(key, run);
  return perStepTensors(run, steps);
}

/** A run's cached conditioning as one tensor per block and step ([rows, 1, 1, channels]): uploads, no kernel calls. */
function perStepTensors(run: RunConditioning, steps: number): Conditioning[] {
  return Array.from({ length: steps }, (_, i) =>
    Object.fromEntries(Object.entries(run).map(([block, { values, channels }]) => {
      const size = values.length / steps;
      return [block, tf.tensor4d(values.subarray(i * size, (i + 1) * size), [size / channels, 1, 1, channels])];
    })) as Conditioning,
  );
}

/**
 * The style input [rows × steps, 3] for the conditioning batch, at every step: each
 * image's style in the conditional pass, none in the unconditional one. Guidance is on
 * the class and the style together, so w strengthens the hand as it does the class
 * (the style teacher followed a style at r 0.91 / 0.82 with the style kept in both
 * passes, 0.94 / 0.91 with it dropped: docs/history.md).
 */
function styleInput(styles: (Style | null)[], passes: { styled: boolean }[], steps: number): number[][] {
  const step = passes.flatMap(({ styled }) => styles.map((st) => (styled && st ? [st.slant, st.thickness, 1] : [0, 0, 0])));
  return Array.from({ length: steps }, () => step).flat();
}

interface StepResult {
  xPrev: tf.Tensor4D;
  x0: tf.Tensor4D;
}

/** Signal and noise weights (√ᾱ, √(1−ᾱ)) at a timestep; t = -1 is the clean image. */
function mixAt(schedule: NoiseSchedule, t: number) {
  return t < 0 ? { signal: 1, noise: 0 } : schedule.mix(t);
}

/** x̂₀ from v, clipped to the data range [-1, 1] (keeps few-step samples from overshooting). */
function cleanEstimate(schedule: NoiseSchedule, v: tf.Tensor4D, t: number, x: tf.Tensor4D): tf.Tensor4D {
  const { signal, noise } = schedule.mix(t);
  return tf.clipByValue(tf.sub(tf.mul(x, signal), tf.mul(v, noise)), -1, 1) as tf.Tensor4D;
}

export class DdimScheduler {
  readonly timesteps: number[];
  /** `timesteps` (descending) overrides the full-range spacing, e.g. for SDEdit's partial run. */
  constructor(protected readonly schedule: NoiseSchedule, steps: number, timesteps = schedule.samplingTimesteps(steps)) {
    this.timesteps = timesteps;
  }

  step(v: tf.Tensor4D, t: number, x: tf.Tensor4D): StepResult {
    const x0 = cleanEstimate(this.schedule, v, t, x);
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
    const x0 = cleanEstimate(this.schedule, v, t, x);
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
      // x_{t'} = (σ'/σ)·x − α'·(e^{−h} − 1)·D, with e^{−h} = (α·σ')/(σ·α') written out
      // (no Math.expm1: its last bit is each engine's own): the DDIM step with D for x̂₀.
      const keep = prev.noise / now.noise;
      xPrev = tf.add(tf.mul(d, prev.signal - now.signal * keep), tf.mul(x, keep));
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

/** λ = log(√ᾱ/√(1−ᾱ)), with the log of portable-math.ts so every engine gets the same bits. */
function lambda(mix: { signal: number; noise: number }): number {
  return log(mix.signal / mix.noise);
}
