/**
 * The samplers against answers known in closed form. The real reverse process
 * (src/model/sampler.ts reverseProcess: DDIM, DPM-Solver++(2M), SDEdit's start,
 * inpainting's known-region replacement and RePaint's resampling) runs with the
 * exact denoiser of data whose every pixel is N(μ, s²) (test/helpers/closed-form.ts)
 * where the network would be:
 *  - data at one point (s = 0): the exact x̂₀ is the point at every level, so
 *    both samplers must land on it at any step count;
 *  - Gaussian data (s > 0): every step is an affine map, so the answer after N
 *    steps is the published update equations evaluated in float64 (Song et al.
 *    2021 for DDIM; Lu et al. 2022, Algorithm 2, for DPM-Solver++(2M)), and as
 *    N grows it approaches the probability-flow ODE's exact solution.
 * Tolerances are float32 rounding: the sampler works in float32 tensors, a few
 * roundings per step, each at most 2^-24 of the number rounded.
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/model/rng';
import { reverseProcess, SAMPLERS, type ReverseOptions, type SamplerName } from '../src/model/sampler';
import { DEFAULT_SCHEDULE, NoiseSchedule } from '../src/model/schedule';
import { sdeditTimesteps } from '../src/model/sdedit';
import { cleanEstimate, exactVelocity, flowToClean, levelAt, type Call, type GaussianData, type Level } from './helpers/closed-form';
import { useWasm } from './helpers/node-backend';

beforeAll(() => useWasm());

const schedule = new NoiseSchedule(DEFAULT_SCHEDULE);
const T = schedule.timesteps;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const SEEDS = [1, 2, 3, 4];
const STEP_COUNTS = [1, 2, 4, 10, 50];

/**
 * Four float32 roundings per step, plus the start, of numbers below 8 in size (the noise reaches
 * 4-5 standard deviations; a rounding is at most 2^-24 of the number): 2e-6 per step, far below one grey level (1/127.5).
 */
const float32Tolerance = (steps: number) => 4 * (steps + 1) * 8 * 2 ** -24;
/** x̂₀ is clipped to [-1, 1]: the answers must stay inside for the maths to be comparable. */
const CLIP_BELOW = -1;

/** A smooth picture with values in [-0.1, 0.3]: the data's mean, or its single point. */
const MEAN = Float64Array.from({ length: PIXELS }, (_, i) => 0.1 + 0.2 * Math.sin(i / 37));
const POINT: GaussianData = { mean: MEAN, sd: 0 };
/** s = 0.15 keeps every answer inside (-1, 1): nothing is clipped (checked). */
const GAUSSIAN: GaussianData = { mean: MEAN, sd: 0.15 };

/** Each seed's first 784 normals: the starting noise reverseProcess draws for that image. */
const START_NOISE = Float64Array.from(SEEDS.flatMap((seed) => Array.from(new Rng(seed).normals(PIXELS))));

function run(data: GaussianData, opts: Omit<ReverseOptions, 'seeds'>, calls: Call[] = []): Float32Array {
  const out = reverseProcess(schedule, SIDE, exactVelocity(schedule, data, calls), { seeds: SEEDS, ...opts });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

/** The batch of 4 images, all `image`, as a tensor. */
const batchOf = (image: ArrayLike<number>) => tf.tensor4d(Float32Array.from(SEEDS.flatMap(() => Array.from(image))), [SEEDS.length, SIDE, SIDE, 1]);

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/**
 * The published update equations in float64, from `x` at timesteps[0] down to
 * the clean image, with the exact x̂₀ of `data`:
 *   DDIM:   x' = α'·x̂₀ + σ'·(x − α·x̂₀)/σ
 *   DPM-Solver++(2M): λ = log(α/σ), h = λ' − λ, r = h_prev/h,
 *           D = (1 + 1/(2r))·x̂₀ − 1/(2r)·x̂₀_prev (D = x̂₀ on the first step),
 *           x' = (σ'/σ)·x − α'·(e^{−h} − 1)·D, and x̂₀ itself on the last step.
 */
function publishedUpdates(data: GaussianData, sampler: SamplerName, timesteps: number[], start: Float64Array): Float64Array {
  const lambda = (l: Level) => Math.log(l.signal / l.noise);
  let x = start;
  let previousX0: Float64Array | null = null;
  let previousH = 0;
  timesteps.forEach((t, k) => {
    const now = levelAt(schedule, t);
    const next = levelAt(schedule, k + 1 < timesteps.length ? timesteps[k + 1] : -1);
    const x0 = x.map((v, j) => cleanEstimate(data, now, v, j % PIXELS));
    if (sampler === 'ddim') {
      x = x.map((v, j) => next.signal * x0[j] + (next.noise * (v - now.signal * x0[j])) / now.noise);
    } else if (next.noise === 0) {
      x = x0;
    } else {
      const h = lambda(next) - lambda(now);
      const before = previousX0;
      const r = previousH / h;
      const d = before ? x0.map((v, j) => (1 + 1 / (2 * r)) * v - before[j] / (2 * r)) : x0;
      x = x.map((v, j) => (next.noise / now.noise) * v - next.signal * Math.expm1(-h) * d[j]);
      previousH = h;
    }
    previousX0 = x0;
  });
  return x;
}

describe('the premises', () => {
  it('every shipped weight set uses this schedule, and it is the cosine schedule of Nichol & Dhariwal', () => {
    for (const dir of ['weights', 'weights/few-step', 'weights/teacher']) {
      expect(JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')).schedule).toEqual(DEFAULT_SCHEDULE);
    }
    // ᾱ(t) = f(t+1)/f(0), f(t) = cos²((t/T + 0.008)/1.008 · π/2), floored at 1e-5 (the last two timesteps).
    const f = (t: number) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (let t = 0; t < T; t++) expect(Math.abs(schedule.alphaBar[t] - Math.max(f(t + 1) / f(0), 1e-5))).toBeLessThan(1e-15);
    expect(schedule.alphaBar[T - 1]).toBe(1e-5);
  });

  it('the sampling grid is diffusers\' "trailing" spacing: round(T − i·T/N) − 1', () => {
    for (let n = 1; n <= 100; n++) {
      expect(schedule.samplingTimesteps(n)).toEqual(Array.from({ length: n }, (_, i) => Math.round(T - (i * T) / n) - 1));
    }
    expect(schedule.samplingTimesteps(4)).toEqual([999, 749, 499, 249]);
  });
});

describe.each(SAMPLERS)('%s with the exact denoiser', (sampler) => {
  it.each(STEP_COUNTS)('data at one point: lands on the point in %i steps', (steps) => {
    const out = run(POINT, { steps, sampler });
    expect(worst(out, Float64Array.from(SEEDS.flatMap(() => Array.from(MEAN))))).toBeLessThanOrEqual(float32Tolerance(steps));
  });

  it.each(STEP_COUNTS)('Gaussian data: lands where the published update equations do, in %i steps', (steps) => {
    const expected = publishedUpdates(GAUSSIAN, sampler, schedule.samplingTimesteps(steps), START_NOISE);
    expect(Math.min(...expected)).toBeGreaterThan(CLIP_BELOW);
    expect(Math.max(...expected)).toBeLessThan(1);
    expect(worst(run(GAUSSIAN, { steps, sampler }), expected)).toBeLessThanOrEqual(float32Tolerance(steps));
  });
});

describe('convergence to the probability-flow ODE (the published equations, which the sampler matches above)', () => {
  const start = levelAt(schedule, T - 1);
  const exact = START_NOISE.map((x, j) => flowToClean(GAUSSIAN, start, x, j % PIXELS));
  const errors = (sampler: SamplerName) => STEP_COUNTS.map((steps) => worst(publishedUpdates(GAUSSIAN, sampler, schedule.samplingTimesteps(steps), START_NOISE), exact));

  it('every step count comes closer, and the second-order solver is closer than DDIM from 4 steps on', () => {
    const ddim = errors('ddim');
    const dpmpp = errors('dpmpp');
    for (let k = 1; k < STEP_COUNTS.length; k++) {
      expect(ddim[k]).toBeLessThan(ddim[k - 1]);
      expect(dpmpp[k]).toBeLessThan(dpmpp[k - 1]);
    }
    // 1 and 2 steps are the same for both (first-order start, first-order last step).
    for (let k = 2; k < STEP_COUNTS.length; k++) expect(dpmpp[k]).toBeLessThan(ddim[k]);
    // From 10 to 50 steps a first-order method's error shrinks about 5×, a second-order one's more (measured 4.2× and 14×).
    expect(ddim[3] / ddim[4]).toBeGreaterThan(2.5);
    expect(dpmpp[3] / dpmpp[4]).toBeGreaterThan(ddim[3] / ddim[4]);
  });
});

describe('SDEdit (restyle) with the exact denoiser', () => {
  /** The picture to restyle: values in [-0.4, 0.4], unlike the data's mean. */
  const PICTURE = Float64Array.from({ length: PIXELS }, (_, i) => 0.4 * Math.cos(i / 11));
  const STRENGTHS = [0.3, 0.5, 0.7, 1];

  function restyle(data: GaussianData, picture: Float64Array, strength: number, steps: number, sampler: SamplerName, calls: Call[] = []) {
    const images = batchOf(picture);
    try {
      return run(data, { steps, sampler, start: { images, strength } }, calls);
    } finally {
      images.dispose();
    }
  }

  it.each(STRENGTHS)('strength %f: the first step sees the picture noised to timestep round(strength·(T−1)) with the seed\'s noise', (strength) => {
    const calls: Call[] = [];
    restyle(POINT, PICTURE, strength, 4, 'ddim', calls);
    const t = Math.round(strength * (T - 1));
    expect(calls[0].t).toBe(t);
    // Strength 1 starts from the noise alone (exactly plain sampling), not from √1e-5 of the picture.
    const level = t === T - 1 ? { signal: 0, noise: 1 } : schedule.mix(t);
    const expected = START_NOISE.map((e, j) => level.signal * PICTURE[j % PIXELS] + level.noise * e);
    expect(worst(calls[0].x, expected)).toBeLessThanOrEqual(float32Tolerance(0));
  });

  it.each(SAMPLERS)('%s, data at one point: lands on the point from any strength', (sampler) => {
    for (const strength of STRENGTHS) {
      for (const steps of [1, 4, 10]) expect(worst(restyle(POINT, PICTURE, strength, steps, sampler), Float64Array.from(SEEDS.flatMap(() => Array.from(MEAN))))).toBeLessThanOrEqual(float32Tolerance(steps));
    }
  });

  it.each(SAMPLERS)('%s, Gaussian data: lands where the published update equations do, from every strength', (sampler) => {
    for (const strength of STRENGTHS) {
      for (const steps of [1, 4, 10]) {
        const timesteps = sdeditTimesteps(schedule, steps, strength);
        const level = timesteps[0] === T - 1 ? { signal: 0, noise: 1 } : schedule.mix(timesteps[0]);
        const start = START_NOISE.map((e, j) => level.signal * PICTURE[j % PIXELS] + level.noise * e);
        expect(worst(restyle(GAUSSIAN, PICTURE, strength, steps, sampler), publishedUpdates(GAUSSIAN, sampler, timesteps, start))).toBeLessThanOrEqual(float32Tolerance(steps));
      }
    }
  });

  it('how much of the picture survives: the share the maths gives at 0.3, 0.5 and 0.7, none at 1', () => {
    // Every step is affine, so output = a + b·picture + c·noise with one b for all pixels:
    // b is the share of the picture that survives. Measured by moving the picture by 0.25.
    const moved = PICTURE.map((v) => v + 0.25);
    const share = (strength: number, run: (picture: Float64Array) => ArrayLike<number>) => {
      const [a, b] = [run(PICTURE), run(moved)];
      const shares = Array.from(a, (v, j) => (b[j] - v) / 0.25);
      return { mean: shares.reduce((s, v) => s + v, 0) / shares.length, spread: Math.max(...shares) - Math.min(...shares) };
    };
    const shares = STRENGTHS.map((strength) => {
      const timesteps = sdeditTimesteps(schedule, 10, strength);
      const level = timesteps[0] === T - 1 ? { signal: 0, noise: 1 } : schedule.mix(timesteps[0]);
      const expected = share(strength, (picture) => publishedUpdates(GAUSSIAN, 'ddim', timesteps, START_NOISE.map((e, j) => level.signal * picture[j % PIXELS] + level.noise * e)));
      const measured = share(strength, (picture) => restyle(GAUSSIAN, picture, strength, 10, 'ddim'));
      // Each share is a difference of two outputs over 0.25: four times their float32 tolerance.
      expect(Math.abs(measured.mean - expected.mean)).toBeLessThanOrEqual(8 * float32Tolerance(10));
      expect(measured.spread).toBeLessThanOrEqual(16 * float32Tolerance(10));
      return measured.mean;
    });
    // 0.3 → 0.5 → 0.7 → 1 keeps less and less; strength 1 keeps nothing.
    for (let k = 1; k < shares.length; k++) expect(shares[k]).toBeLessThan(shares[k - 1]);
    expect(shares[0]).toBeGreaterThan(0.1);
    expect(Math.abs(shares[3])).toBeLessThanOrEqual(8 * float32Tolerance(10));
  });
});

describe('inpainting (known-region replacement, RePaint) with the exact denoiser of data at one point', () => {
  /** The known picture: values in [-0.5, 0.5], far from the data point. */
  const KNOWN = Float64Array.from({ length: PIXELS }, (_, i) => -0.5 + (((i * 7919) % 101) / 100));
  /** Regenerate (1) a 12×16 block off the centre; keep (0) the rest. */
  const MASK = Float64Array.from({ length: PIXELS }, (_, i) => (Math.floor(i / SIDE) >= 6 && Math.floor(i / SIDE) < 18 && i % SIDE >= 10 && i % SIDE < 26 ? 1 : 0));
  const regenerated = (j: number) => MASK[j % PIXELS] === 1;

  function inpaint(sampler: SamplerName, steps: number, resample: number, calls: Call[] = []): Float32Array {
    const images = batchOf(KNOWN);
    const mask = batchOf(MASK);
    try {
      return run(POINT, { steps, sampler, inpaint: { images, mask, resample } }, calls);
    } finally {
      tf.dispose([images, mask]);
    }
  }

  /**
   * (x − α·target)/σ over `pixels`: standard normal noise when x is at level t.
   * Bounds: 6 standard errors of the mean (1/√n) and of the standard deviation (1/√(2n)).
   */
  function expectAtLevel(call: Call, pixels: (j: number) => boolean, target: (j: number) => number) {
    const { signal, noise } = schedule.mix(call.t);
    const residuals = Array.from(call.x, (x, j) => (x - signal * target(j)) / noise).filter((_, j) => pixels(j));
    const n = residuals.length;
    const mean = residuals.reduce((s, r) => s + r, 0) / n;
    const sd = Math.sqrt(residuals.reduce((s, r) => s + (r - mean) ** 2, 0) / n);
    expect(Math.abs(mean), `mean of ${n} residuals at t=${call.t}`).toBeLessThan(6 / Math.sqrt(n));
    expect(Math.abs(sd - 1), `sd of ${n} residuals at t=${call.t}`).toBeLessThan(6 / Math.sqrt(2 * n));
  }

  const cases: [SamplerName, number, number][] = [
    ['ddim', 1, 1], ['ddim', 4, 1], ['ddim', 10, 1], ['dpmpp', 4, 1], ['dpmpp', 10, 1], ['ddim', 4, 3], ['ddim', 10, 3],
  ];

  it.each(cases)('%s, %i steps, resample %i: keeps the known picture exactly where the mask says keep and lands on the data point elsewhere', (sampler, steps, resample) => {
    const out = inpaint(sampler, steps, resample);
    let keptWrong = 0;
    out.forEach((v, j) => {
      if (regenerated(j)) expect(Math.abs(v - MEAN[j % PIXELS]), `regenerated pixel ${j}`).toBeLessThanOrEqual(float32Tolerance(steps * resample));
      else if (v !== Math.fround(KNOWN[j % PIXELS])) keptWrong++;
    });
    expect(keptWrong).toBe(0);
  });

  it.each(cases)('%s, %i steps, resample %i: every step sees both regions at its own noise level (the known picture noised to the level the previous step reached)', (sampler, steps, resample) => {
    const calls: Call[] = [];
    inpaint(sampler, steps, resample, calls);
    expect(calls.length).toBe(steps * resample);
    for (const call of calls) {
      expectAtLevel(call, (j) => !regenerated(j), (j) => KNOWN[j % PIXELS]);
      expectAtLevel(call, regenerated, (j) => MEAN[j % PIXELS]);
    }
  });
});
