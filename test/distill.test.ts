/**
 * Compression: structured pruning, guidance distillation and progressive
 * (step) distillation, checked against the model and sampler they serve.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneToWidth } from '../scripts/compress/prune';
import { loadMnist, type Digits } from '../scripts/train/mnist';
import { parseDistillArgs } from '../scripts/distill/args';
import { quantizePerChannel } from '../scripts/train/export';
import { heldOutLoss } from '../scripts/train/held-out';
import { guidedTarget, guidedTargetByStyle, sampleGuidance, twoStepTarget } from '../scripts/train/teacher';
import { backgroundWeights, DEFAULT_RECIPE, slopePairs, slopeTerm, LOSS_WEIGHT_FORMULA, lossWeightAtGuidance, stepGroups, Trainer, weightedMse, type Recipe } from '../scripts/train/trainer';
import { Rng } from '../src/model/rng';
import { DdimScheduler, distilledStepSize, sample, type Model } from '../src/model/sampler';
import { DEFAULT_SCHEDULE, NoiseSchedule } from '../src/model/schedule';
import { DEFAULT_UNET, denoise, embedInputs, MAX_GUIDANCE, paramSpecs, type UNetConfig } from '../src/model/unet';
import { loadWeights } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';
import { randomWeights, toParams } from './helpers/random-weights';

const schedule = new NoiseSchedule(DEFAULT_SCHEDULE);
const TEACHER: UNetConfig = { ...DEFAULT_UNET, channels: [8, 12, 16] };
const STUDENT: UNetConfig = { ...TEACHER, channels: [6, 8, 12], guidanceFeatures: 8 };
const FEW_STEP: UNetConfig = { ...STUDENT, stepFeatures: 4, distilledSteps: [1, 2] };

let data: Digits;
beforeAll(async () => {
  await useWasm();
  const all = loadMnist('train');
  data = { images: all.images.subarray(0, 256 * 784), labels: all.labels.subarray(0, 256), count: 256 };
});


const model = (cfg: UNetConfig, w: Record<string, Float32Array>): Model => ({ params: toParams(cfg, w), unet: cfg, schedule });

/** A fixed batch of noisy inputs across timesteps, classes and guidance scales. */
function probe(n = 6) {
  const rng = new Rng(77);
  return {
    x: tf.tensor4d(rng.normals(n * 784), [n, 28, 28, 1]),
    t: tf.tensor1d(Array.from({ length: n }, (_, i) => 100 + 150 * i)),
    labels: tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'),
    w: tf.tensor1d(Array.from({ length: n }, (_, i) => [0, 1, 2, 3.5, 7, 10][i % 6])),
  };
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const value = (await d.data())[0];
  d.dispose();
  return value;
}

describe('structured pruning', () => {
  it('at the same width copies the network', () => {
    const w = randomWeights(TEACHER, 3);
    const { weights } = pruneToWidth(w, TEACHER, TEACHER);
    for (const spec of paramSpecs(TEACHER)) expect(Array.from(weights[spec.name]), spec.name).toEqual(Array.from(w[spec.name]));
  });

  it('drops exactly the dead channels, leaving the output unchanged, and new guidance inputs start with no effect', async () => {
    // Kill the channels pruning should drop: zero everything that writes them, so they carry 0 everywhere.
    const w = randomWeights(TEACHER, 4);
    const dead: Record<string, number[]> = { level0: [1, 5], level1: [0, 3, 7, 11], level2: [2, 4, 9, 13] };
    const inner: Record<string, number[]> = { enc0: [0, 7], enc1: [1, 2, 5, 6], mid: [0, 1, 2, 3], dec1: [8, 9, 10, 11], dec0: [3, 4] };
    const zeroOut = (name: string, channels: number[]) => {
      const spec = paramSpecs(TEACHER).find((s) => s.name === name)!;
      const c = spec.shape.at(-1)!;
      w[name] = w[name].map((v, i) => (channels.includes(i % c) ? 0 : v));
    };
    const writers: Record<string, string[]> = {
      level0: ['stem', 'enc0.conv2', 'dec0.conv2', 'up0', 'enc0.emb', 'dec0.emb'],
      level1: ['down0', 'enc1.conv2', 'dec1.conv2', 'up1', 'enc1.emb', 'dec1.emb'],
      level2: ['down1', 'mid.conv2', 'mid.emb'],
    };
    for (const [set, layers] of Object.entries(writers)) for (const l of layers) (zeroOut(`${l}.w`, dead[set]), zeroOut(`${l}.b`, dead[set]));
    for (const [block, channels] of Object.entries(inner)) (zeroOut(`${block}.conv1.w`, channels), zeroOut(`${block}.conv1.b`, channels));
    // The embedding's projection into a dead stream channel is a writer too: zeroed above via *.emb.

    const { weights, kept } = pruneToWidth(w, TEACHER, STUDENT);
    expect(kept.level0).toEqual([0, 2, 3, 4, 6, 7]);
    expect(kept['mid.inner']).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);

    const { x, t, labels, w: guidance } = probe();
    const teacher = toParams(TEACHER, w);
    const student = toParams(STUDENT, weights);
    const expected = denoise(teacher, TEACHER, x, t, labels, 1000);
    const got = denoise(student, STUDENT, x, t, labels, 1000, { guidance });
    expect(await maxDiff(got, expected)).toBeLessThan(1e-4);
    tf.dispose([x, t, labels, guidance, expected, got, ...Object.values(teacher), ...Object.values(student)]);
  });
});

describe('widening', () => {
  const WIDER: UNetConfig = { ...TEACHER, channels: [10, 12, 20] };

  it('keeps every channel and computes exactly what the narrower network did', async () => {
    const w = randomWeights(TEACHER, 6);
    const { weights, kept } = pruneToWidth(w, TEACHER, WIDER);
    expect(kept.level0).toEqual([0, 1, 2, 3, 4, 5, 6, 7, -1, -1]);
    expect(kept.level1).toEqual([...Array(12).keys()]);
    const { x, t, labels } = probe();
    const narrow = toParams(TEACHER, w);
    const wide = toParams(WIDER, weights);
    const expected = denoise(narrow, TEACHER, x, t, labels, 1000);
    const got = denoise(wide, WIDER, x, t, labels, 1000);
    expect(await maxDiff(got, expected)).toBeLessThan(1e-5);
    tf.dispose([x, t, labels, expected, got, ...Object.values(narrow), ...Object.values(wide)]);
  });

  it('draws the filters that write a new channel, He-scaled, and zeroes those that read one', () => {
    const { weights } = pruneToWidth(randomWeights(TEACHER, 7), TEACHER, WIDER);
    // stem.w [3, 3, 1, 10]: channels 8 and 9 are new, written from 9 inputs: N(0, 2/9).
    const stem = weights['stem.w'];
    const fresh = Array.from(stem).filter((_, i) => i % 10 >= 8);
    const std = Math.sqrt(fresh.reduce((a, v) => a + v * v, 0) / fresh.length);
    expect(fresh.every((v) => v !== 0)).toBe(true);
    expect(std).toBeGreaterThan(0.2);
    expect(std).toBeLessThan(0.8);
    expect(Array.from(weights['stem.b']).slice(8)).toEqual([0, 0]);
    // out.w [3, 3, 10, 1] reads level 0: its weights for channels 8 and 9 are zero.
    expect(Array.from(weights['out.w']).filter((_, i) => i % 10 >= 8).every((v) => v === 0)).toBe(true);
    // The same start every time.
    expect(Array.from(pruneToWidth(randomWeights(TEACHER, 7), TEACHER, WIDER).weights['stem.w'])).toEqual(Array.from(stem));
  });
});

describe('guidance distillation', () => {
  it("targets the teacher's classifier-free-guided v: unconditional at w = 0, conditional at w = 1, extrapolated beyond", async () => {
    const teacher = model(TEACHER, randomWeights(TEACHER, 5));
    const { x, t, labels } = probe();
    const nullLabels = tf.fill([6], TEACHER.classes, 'int32') as tf.Tensor1D;
    const vCond = denoise(teacher.params, TEACHER, x, t, labels, 1000);
    const vUncond = denoise(teacher.params, TEACHER, x, t, nullLabels, 1000);
    const at = (w: number) => guidedTarget(teacher, x, t, labels, tf.fill([6], w) as tf.Tensor1D);
    expect(await maxDiff(at(0), vUncond)).toBeLessThan(1e-5);
    expect(await maxDiff(at(1), vCond)).toBeLessThan(1e-5);
    expect(await maxDiff(at(3), tf.add(vUncond, tf.mul(tf.sub(vCond, vUncond), 3)))).toBeLessThan(1e-4);
  });

  it("with a style teacher, the target's unconditional part has neither class nor style (w = 0), its conditional part both (w = 1)", async () => {
    const STYLED_TEACHER: UNetConfig = { ...TEACHER, styleFeatures: 4 };
    const teacher = model(STYLED_TEACHER, randomWeights(STYLED_TEACHER, 13));
    const { x, t, labels } = probe();
    const style = tf.tensor2d(Array.from({ length: 6 }, (_, i) => [0.1 * i - 0.2, 1.5 + 0.2 * i, 1]), [6, 3]);
    const nullLabels = tf.fill([6], TEACHER.classes, 'int32') as tf.Tensor1D;
    const vNeither = denoise(teacher.params, STYLED_TEACHER, x, t, nullLabels, 1000);
    const vNullStyled = denoise(teacher.params, STYLED_TEACHER, x, t, nullLabels, 1000, { style });
    const vBoth = denoise(teacher.params, STYLED_TEACHER, x, t, labels, 1000, { style });
    const at = (w: number) => guidedTarget(teacher, x, t, labels, tf.fill([6], w) as tf.Tensor1D, style);
    expect(await maxDiff(at(0), vNeither)).toBeLessThan(1e-5);
    // ...not the null class with the style kept, so the check can fail.
    expect(await maxDiff(vNullStyled, vNeither)).toBeGreaterThan(1e-3);
    expect(await maxDiff(at(1), vBoth)).toBeLessThan(1e-5);
    tf.dispose([x, t, labels, style, nullLabels, vNeither, vNullStyled, vBoth]);
  });

  it('with a plain teacher, rows given no style take its target and styled rows the style teacher\'s, in batch order', async () => {
    const STYLED_TEACHER: UNetConfig = { ...TEACHER, styleFeatures: 4 };
    const styled = model(STYLED_TEACHER, randomWeights(STYLED_TEACHER, 11));
    const plain = model(TEACHER, randomWeights(TEACHER, 12));
    const { x, t, labels, w } = probe();
    // Rows 1, 2 and 4 given a style (flag column 2), the rest none.
    const given = [0, 1, 1, 0, 1, 0];
    const style = tf.tensor2d(given.flatMap((flag, i) => (flag ? [0.1 * i - 0.2, 1.5 + 0.2 * i, 1] : [0, 0, 0])), [6, 3]);
    const both = guidedTargetByStyle(styled, plain, x, t, labels, w, style);
    const fromPlain = guidedTarget(plain, x, t, labels, w);
    const fromStyled = guidedTarget(styled, x, t, labels, w, style);
    const rows = tf.unstack(both);
    for (const [i, flag] of given.entries()) {
      const expected = tf.unstack(flag ? fromStyled : fromPlain)[i];
      expect(await maxDiff(rows[i], expected), `row ${i}`).toBeLessThan(1e-5);
      // ...and differs from the other teacher's, so the check can fail.
      expect(await maxDiff(rows[i], tf.unstack(flag ? fromPlain : fromStyled)[i]), `row ${i}`).toBeGreaterThan(1e-3);
    }
    // With no plain teacher, every row is the style teacher's.
    expect(await maxDiff(guidedTargetByStyle(styled, undefined, x, t, labels, w, style), fromStyled)).toBe(0);
    tf.dispose([x, t, labels, w, style, both, fromPlain, fromStyled, ...rows]);
  });

  it('lowers the distillation loss, and the student samples with one row per step', async () => {
    const teacher = model(TEACHER, randomWeights(TEACHER, 6));
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 16, epochs: 4, warmupSteps: 3, lr: 3e-3, labelDropout: 0 };
    const trainer = new Trainer(recipe, STUDENT, schedule, data, { teacher });
    // The distillation loss on fixed noise, timesteps and guidance scales (held-out.ts), on the live weights:
    // minibatch losses swing 2× from step to step, so comparing their first and last few tells little.
    const fixedNoiseLoss = async () => {
      const live = model(STUDENT, (await trainer.snapshot()).groups.params);
      const loss = await heldOutLoss(live, data, data.count, teacher);
      tf.dispose(Object.values(live.params));
      return loss;
    };
    const untrained = await fixedNoiseLoss();
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await trainer.trainStep()).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    // 30 steps take 10-45 % off (teacher seeds 6, 16, 26, 36: ×0.80, 0.57, 0.81, 0.90); untrained it stays ×1.
    expect(await fixedNoiseLoss()).toBeLessThan(0.95 * untrained);

    const student = { params: trainer.emaParams(), unet: STUDENT, schedule };
    const before = tf.memory().numTensors;
    const images = sample(student, { labels: [3, 8], seeds: [1, 2], steps: 4, guidance: 2, sampler: 'dpmpp' });
    expect(images.shape).toEqual([2, 28, 28, 1]);
    images.dispose();
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });

  it('resumes a guidance and step distillation exactly (the guidance scales come from the checkpointed generator)', async () => {
    const teacher = model(TEACHER, randomWeights(TEACHER, 7));
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 8, epochs: 2, warmupSteps: 2, labelDropout: 0 };
    const fresh = () => new Trainer(recipe, FEW_STEP, schedule, data, { teacher });
    const straight = fresh();
    for (let i = 0; i < 4; i++) await straight.trainStep();
    const expected = await straight.snapshot();
    straight.dispose();
    const first = fresh();
    for (let i = 0; i < 2; i++) await first.trainStep();
    const halfway = await first.snapshot();
    first.dispose();
    const resumed = fresh();
    resumed.restore(halfway);
    for (let i = 0; i < 2; i++) await resumed.trainStep();
    const got = await resumed.snapshot();
    resumed.dispose();
    for (const [name, values] of Object.entries(expected.groups.params)) {
      expect(Math.max(...values.map((v, i) => Math.abs(v - got.groups.params[name][i]))), name).toBeLessThan(1e-6);
    }
  });
});

describe("distillation's emphasis", () => {
  it('with styleOnly, trains only the rows of embed1.w the style features feed: with no style given the student draws as it started', async () => {
    const STYLED: UNetConfig = { ...STUDENT, styleFeatures: 4 };
    const teacher = model({ ...TEACHER, styleFeatures: 4 }, randomWeights({ ...TEACHER, styleFeatures: 4 }, 8));
    const init = randomWeights(STYLED, 9);
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 16, epochs: 1, warmupSteps: 1, lr: 3e-3, labelDropout: 0 };
    const trainer = new Trainer(recipe, STYLED, schedule, data, { init, teacher, emphasis: { guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, styleOnly: true } });
    for (let i = 0; i < 5; i++) await trainer.trainStep();
    const after = (await trainer.snapshot()).groups;
    trainer.dispose();
    const parts = embedInputs(STYLED);
    const start = parts.slice(0, parts.findIndex((p) => p.part === 'style')).reduce((n, p) => n + p.width, 0);
    const end = start + parts.find((p) => p.part === 'style')!.width;
    const E = STYLED.embedDim;
    for (const group of ['params', 'ema'] as const) {
      for (const spec of paramSpecs(STYLED)) {
        const moved = Array.from(after[group][spec.name]).flatMap((v, i) => (v === init[spec.name][i] ? [] : [i]));
        if (spec.name !== 'embed1.w') expect(moved, `${group} ${spec.name}`).toEqual([]);
        else {
          expect(moved.length, `${group} embed1.w: some style rows moved`).toBeGreaterThan(0);
          expect(moved.every((i) => i >= start * E && i < end * E), `${group} embed1.w: only style rows moved`).toBe(true);
        }
      }
    }
    // So with no style given, the trained student's v is the starting one's, exactly.
    const { x, t, labels, w } = probe();
    const v0 = denoise(toParams(STYLED, init), STYLED, x, t, labels, schedule.timesteps, { guidance: w });
    const v1 = denoise(toParams(STYLED, after.ema), STYLED, x, t, labels, schedule.timesteps, { guidance: w });
    expect(await maxDiff(v0, v1)).toBe(0);
    expect(() => new Trainer(recipe, STUDENT, schedule, data, { teacher: model(TEACHER, randomWeights(TEACHER, 8)), emphasis: { guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, styleOnly: true } })).toThrow(/style inputs/);
    tf.dispose([x, t, labels, w, v0, v1]);
  });

  it('with styleOnly, keeps each column of embed1.w within its largest frozen weight, so the int8 export keeps its scales and plain rows', async () => {
    const STYLED: UNetConfig = { ...STUDENT, styleFeatures: 4 };
    const teacher = model({ ...TEACHER, styleFeatures: 4 }, randomWeights({ ...TEACHER, styleFeatures: 4 }, 8));
    const init = randomWeights(STYLED, 9);
    const parts = embedInputs(STYLED);
    const E = STYLED.embedDim;
    const plainRows = parts.slice(0, parts.findIndex((p) => p.part === 'style')).reduce((n, p) => n + p.width, 0);
    // As in the served sets, each column's largest weight is a plain one: the style rows start small.
    init['embed1.w'] = init['embed1.w'].map((v, i) => (i < plainRows * E ? v : v / 10));
    // A learning rate far past any weight's size: unbounded, the style rows would outgrow their columns in a step.
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 16, epochs: 1, warmupSteps: 1, lr: 0.5, labelDropout: 0 };
    const trainer = new Trainer(recipe, STYLED, schedule, data, { init, teacher, emphasis: { guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, styleOnly: true } });
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    const after = (await trainer.snapshot()).groups;
    trainer.dispose();
    const largest = Array.from({ length: E }, (_, c) => Math.max(...Array.from(init['embed1.w'].filter((_, i) => i % E === c), Math.abs)));
    const before = quantizePerChannel(init['embed1.w'], E);
    const reached = after.params['embed1.w'].some((v, i) => Math.abs(v) === largest[i % E] && v !== init['embed1.w'][i]);
    expect(reached, "some trained weight reached its column's bound").toBe(true);
    for (const group of ['params', 'ema'] as const) {
      const trained = after[group]['embed1.w'];
      expect(trained.every((v, i) => Math.abs(v) <= largest[i % E]), `${group}: within the bounds`).toBe(true);
      const exported = quantizePerChannel(trained, E);
      expect(exported.scales, `${group}: int8 scales`).toEqual(before.scales);
      expect(Array.from(exported.values.subarray(0, plainRows * E)), `${group}: plain rows' int8 values`).toEqual(Array.from(before.values.subarray(0, plainRows * E)));
    }
  });

  const draws = (focus: number | null, n = 20000) => {
    const rng = new Rng(21);
    return Array.from({ length: n }, () => sampleGuidance(rng, focus));
  };
  const shareWithin = (ws: number[], lo: number, hi: number) => ws.filter((w) => w >= lo && w <= hi).length / ws.length;

  it('without a focus, draws w = MAX·u² from the generator, as runs before the flag did', () => {
    const rng = new Rng(21);
    expect(draws(null, 50)).toEqual(Array.from({ length: 50 }, () => MAX_GUIDANCE * rng.uniform() ** 2));
  });

  it('with a focus, sends half the draws within ±1 of it and keeps the rest across the whole range', () => {
    const base = draws(null);
    const focused = draws(2);
    expect(focused.every((w) => w >= 0 && w <= MAX_GUIDANCE)).toBe(true);
    // Within [1, 3]: P = √0.3 − √0.1 = 0.232 for w = 10·u², and 0.5 + 0.5 × 0.232 = 0.616 focused.
    expect(shareWithin(base, 1, 3)).toBeCloseTo(0.232, 1);
    expect(shareWithin(focused, 1, 3)).toBeCloseTo(0.616, 1);
    expect(shareWithin(focused, 5, 10)).toBeGreaterThan(0.1); // large scales still trained
  });

  it('keeps a focus at the edge of the range uniform inside it, with no pile-up at 0', () => {
    const atZero = draws(0);
    // Half uniform on [0, 1], half w = 10·u² (P(w ≤ 1) = √0.1 = 0.316): 0.658 at or below 1, and no spike at exactly 0.
    expect(shareWithin(atZero, 0, 1)).toBeCloseTo(0.658, 1);
    expect(atZero.filter((w) => w === 0).length).toBeLessThan(5);
  });

  it('splits the batch over the step counts by their weights, the small-step share first', () => {
    expect(stepGroups(128, [1, 2, 4], [])).toEqual([
      { steps: 0, start: 0, size: 53 }, { steps: 1, start: 53, size: 25 }, { steps: 2, start: 78, size: 25 }, { steps: 4, start: 103, size: 25 },
    ]);
    expect(stepGroups(128, [1, 2, 4], [1, 1, 2]).map((g) => g.size)).toEqual([52, 19, 19, 38]);
    expect(() => stepGroups(4, [1, 2, 4], [1, 1, 8])).toThrow(/too small/);
    expect(() => stepGroups(128, [1, 2], [1, NaN])).toThrow(/positive numbers/);
    expect(() => stepGroups(128, [1, 2], [1, 0])).toThrow(/positive numbers/);
    // A student that also serves many-step requests: 80 % small steps, 8 examples per distilled count.
    expect(stepGroups(128, [1, 2, 4], [], 0.8).map((g) => g.size)).toEqual([104, 8, 8, 8]);
  });

  it('weighs each example by 1 / (1 + (w/2)²) when asked, normalised over the batch', async () => {
    expect([0, 2, 10].map(lossWeightAtGuidance)).toEqual([1, 0.5, 1 / 26]);
    // Two examples whose squared errors are 1 and 9 everywhere: plain mean 5; weights 1 and 0.5 give (1 + 4.5) / 1.5.
    const prediction = tf.concat([tf.ones([1, 28, 28, 1]), tf.fill([1, 28, 28, 1], 3)]) as tf.Tensor4D;
    const target = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    expect((await weightedMse(prediction, target, null).data())[0]).toBeCloseTo(5, 5);
    expect((await weightedMse(prediction, target, tf.tensor1d([0, 2].map(lossWeightAtGuidance))).data())[0]).toBeCloseTo(5.5 / 1.5, 5);
    expect((await weightedMse(prediction, target, tf.tensor1d([0.5, 1])).data())[0]).toBeCloseTo(9.5 / 1.5, 5);

    const teacher = model(TEACHER, randomWeights(TEACHER, 12));
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 16, epochs: 1, warmupSteps: 1, labelDropout: 0 };
    const firstLoss = async (weighted: boolean) => {
      const trainer = new Trainer(recipe, STUDENT, schedule, data, { teacher, emphasis: { guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: weighted } });
      const { loss } = await trainer.trainStep();
      trainer.dispose();
      return loss;
    };
    // Same batch and scales (same seed): the trainer applies the weights (large-w examples, with large errors, count less).
    expect(await firstLoss(true)).toBeLessThan(0.9 * (await firstLoss(false)));
  });

  it('pairs the guidance-slope examples within each step group, and scores only how the prediction changes with w', async () => {
    const groups = stepGroups(12, [1, 2], [], 0.5);
    expect(groups.map((g) => [g.start, g.size])).toEqual([[0, 6], [6, 3], [9, 3]]);
    const { first, second } = slopePairs(12, groups);
    // The 3-example groups leave their last example unpaired; no pair straddles two groups.
    expect(Array.from(first)).toEqual([0, 2, 4, 6, 9]);
    expect([...second]).toEqual([1, 3, 5, 7, 10]);
    expect(Array.from(slopePairs(5, []).first)).toEqual([0, 2]);

    const rng = new Rng(5);
    const target = tf.tensor4d(rng.normals(4 * 784), [4, 28, 28, 1]);
    const pairs = Int32Array.from([0, 2]);
    const term = slopeTerm(pairs, target);
    // An error shared by both examples of a pair cancels; one that changes with w does not.
    const shared = tf.tensor4d([...Array(2 * 784).fill(0.3), ...Array(2 * 784).fill(-0.7)], [4, 28, 28, 1]);
    expect((await term(tf.add(target, shared) as tf.Tensor4D).data())[0]).toBeCloseTo(0, 6);
    const slopeError = tf.tensor4d([...Array(784).fill(0.5), ...Array(3 * 784).fill(0)], [4, 28, 28, 1]);
    expect((await term(tf.add(target, slopeError) as tf.Tensor4D).data())[0]).toBeCloseTo(0.25 / 2, 5);
  });

  it('with a guidance-slope term, each pair shares digit, noise and timestep at two scales, and the term adds to the loss', async () => {
    const teacher = model(TEACHER, randomWeights(TEACHER, 12));
    const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 8, epochs: 1, warmupSteps: 1, labelDropout: 0 };
    const emphasis = (guidanceSlope: number) => ({ guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, guidanceSlope });
    const trainer = new Trainer(recipe, STUDENT, schedule, data, { teacher, emphasis: emphasis(10) });
    // nextBatch is private: the batch is read as the step reads it.
    const batch = (trainer as unknown as { nextBatch(): { noisy: Float32Array; timesteps: Float32Array; labels: Int32Array; guidance: Float32Array; pairs: Int32Array } }).nextBatch();
    expect(Array.from(batch.pairs)).toEqual([0, 2, 4, 6]);
    for (const a of batch.pairs) {
      expect(batch.noisy.subarray((a + 1) * 784, (a + 2) * 784)).toEqual(batch.noisy.subarray(a * 784, (a + 1) * 784));
      expect([batch.timesteps[a + 1], batch.labels[a + 1]]).toEqual([batch.timesteps[a], batch.labels[a]]);
      expect(batch.guidance[a + 1]).not.toBe(batch.guidance[a]);
    }
    // Different digits across pairs.
    expect(batch.noisy.subarray(2 * 784, 3 * 784)).not.toEqual(batch.noisy.subarray(0, 784));
    trainer.dispose();
    const firstLoss = async (slope: number) => {
      const t = new Trainer(recipe, STUDENT, schedule, data, { teacher, emphasis: emphasis(slope) });
      const { loss } = await t.trainStep();
      t.dispose();
      return loss;
    };
    // Same batches (the pairing depends only on the flag being on): the term's weight raises the loss.
    expect(await firstLoss(10)).toBeGreaterThan(await firstLoss(1));
  });

  it('weighs the background term on black pixels only, the ring beside ink 1 + ringWeight times', () => {
    // One row of a 5×5 digit: ink (1) at the centre, a rim grey (-0.5) beside it, black elsewhere.
    const clean = new Float32Array(25).fill(-1);
    clean[12] = 1;
    clean[13] = -0.5;
    const weights = (ring: number) => tf.tidy(() => Array.from(backgroundWeights(tf.tensor4d(clean, [1, 5, 5, 1]), ring).dataSync()));
    const plain = weights(0);
    expect(plain[12]).toBe(0);
    expect(plain[13]).toBe(0);
    expect(plain.filter((w) => w === 1)).toHaveLength(23);
    const ringed = weights(4);
    // The 8-neighbours of the ink pixel that are black: 7 of 8 (the eighth is the rim).
    expect([6, 7, 8, 11, 16, 17, 18].map((i) => ringed[i])).toEqual([5, 5, 5, 5, 5, 5, 5]);
    expect([0, 4, 14, 24].map((i) => ringed[i])).toEqual([1, 1, 1, 1]);
    expect(ringed[12]).toBe(0);
    expect(ringed[13]).toBe(0);
  });

  it('reads --step-weights in the order --few-steps gives, and refuses ones that do not fit', () => {
    const args = parseDistillArgs(['--few-steps', '4,1,2', '--step-weights', '3,1,2', '--guidance-focus', '2']);
    expect(args.fewSteps).toEqual([1, 2, 4]);
    expect(args.emphasis).toEqual({ guidanceFocus: 2, stepWeights: [1, 2, 3], smallStepShare: null, guidanceLossWeight: false, emaTargets: false, styleOnly: false, backgroundLoss: 0, ringWeight: 0, guidanceSlope: 0 });
    expect(parseDistillArgs([]).emphasis).toEqual({ guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, emaTargets: false, styleOnly: false, backgroundLoss: 0, ringWeight: 0, guidanceSlope: 0 });
    expect(parseDistillArgs(['--guidance-slope', '4']).emphasis).toMatchObject({ guidanceSlope: 4 });
    expect(() => parseDistillArgs(['--guidance-slope', '-1'])).toThrow(/guidance-slope/);
    expect(parseDistillArgs(['--ema-targets', '--background-loss', '2']).emphasis).toMatchObject({ emaTargets: true, backgroundLoss: 2 });
    expect(parseDistillArgs(['--background-loss', '2', '--ring-weight', '4']).emphasis).toMatchObject({ backgroundLoss: 2, ringWeight: 4 });
    expect(() => parseDistillArgs(['--ring-weight', '4'])).toThrow(/give --background-loss too/);
    expect(parseDistillArgs(['--guidance-loss-weight']).emphasis.guidanceLossWeight).toBe(true);
    expect(parseDistillArgs(['--style-only']).emphasis.styleOnly).toBe(true);
    expect(parseDistillArgs(['--plain-teacher', 'weights/teacher']).plainTeacher).toBe('weights/teacher');
    expect(parseDistillArgs([]).plainTeacher).toBeNull();
    expect(() => parseDistillArgs(['--step-weights', '1,2'])).toThrow(/needs --few-steps/);
    expect(() => parseDistillArgs(['--few-steps', '1,2', '--step-weights', '1'])).toThrow(/one positive number per/);
    expect(() => parseDistillArgs(['--few-steps', '1,2', '--step-weights', '1,0'])).toThrow(/one positive number per/);
    expect(() => parseDistillArgs(['--guidance-focus', '11'])).toThrow(/--guidance-focus must be/);
    expect(parseDistillArgs(['--few-steps', '1,2,4', '--small-step-share', '0.8']).emphasis.smallStepShare).toBe(0.8);
    expect(() => parseDistillArgs(['--small-step-share', '0.8'])).toThrow(/needs --few-steps/);
    expect(() => parseDistillArgs(['--few-steps', '1,2', '--small-step-share', '1'])).toThrow(/strictly between 0 and 1/);
  });
});

describe('step distillation', () => {
  it('tells the network the step size only on a distilled DDIM grid', () => {
    const fewStep = model(FEW_STEP, randomWeights(FEW_STEP, 10));
    expect(distilledStepSize(fewStep, 2, 'ddim', false)).toBe(500);
    expect(distilledStepSize(fewStep, 1, 'ddim', false)).toBe(1000);
    expect(distilledStepSize(fewStep, 4, 'ddim', false)).toBe(0); // not distilled: small-step mode
    expect(distilledStepSize(fewStep, 2, 'dpmpp', false)).toBe(0);
    expect(distilledStepSize(fewStep, 2, 'ddim', true)).toBe(0); // restyle's partial grid
    expect(distilledStepSize(model(STUDENT, randomWeights(STUDENT, 11)), 2, 'ddim', false)).toBe(0);
  });

  it("target: one student DDIM step lands where two of the teacher's served DDIM steps land", async () => {
    const teacher = model(STUDENT, randomWeights(STUDENT, 8));
    const grid = schedule.samplingTimesteps(4); // the student's; the teacher's 8-step grid halves each interval
    const teacherGrid = schedule.samplingTimesteps(8);
    expect(teacherGrid.filter((_, i) => i % 2 === 0)).toEqual(grid);
    const rng = new Rng(9);
    for (const [k, t] of grid.entries()) {
      const x = tf.tensor4d(rng.normals(2 * 784), [2, 28, 28, 1]);
      const labels = tf.tensor1d([4, 9], 'int32');
      const w = tf.tensor1d([2, 0.5]);
      const teacherV = (xs: tf.Tensor4D, at: tf.Tensor1D) => denoise(teacher.params, teacher.unet, xs, at, labels, 1000, { guidance: w });
      const target = twoStepTarget(teacherV, schedule, x, new Float32Array([t, t]), grid);
      // The teacher's two steps, through the sampler's own DDIM scheduler.
      const ddim = new DdimScheduler(schedule, 8, teacherGrid);
      const v = (xs: tf.Tensor4D, at: number) => teacherV(xs, tf.fill([2], at) as tf.Tensor1D);
      const mid = ddim.step(v(x, t), t, x).xPrev;
      const landed = ddim.step(v(mid, teacherGrid[2 * k + 1]), teacherGrid[2 * k + 1], mid).xPrev;
      // The student's one step with the target v, without the x̂₀ clip (the target may lie outside it).
      const now = schedule.mix(t);
      const next = k + 1 < grid.length ? schedule.mix(grid[k + 1]) : { signal: 1, noise: 0 };
      const x0 = tf.sub(tf.mul(x, now.signal), tf.mul(target, now.noise));
      const eps = tf.div(tf.sub(x, tf.mul(x0, now.signal)), now.noise);
      const studentLanded = tf.add(tf.mul(x0, next.signal), tf.mul(eps, next.noise));
      expect(await maxDiff(studentLanded, landed), `from t=${t}`).toBeLessThan(2e-3);
    }
  });
});

describe('npm run distill', () => {
  // Through the CLI, as a user runs it: an epoch end (held-out loss, sample sheet) and the int8 export,
  // with no --out: into the run folder (test/train-out.test.ts: never a served set unless named).
  it('distils guidance and steps from the shipped teacher and exports weights the Worker can load', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'distill-'));
    const out = path.join(dir, 'weights');
    execFileSync('npx', ['tsx', 'scripts/distill.ts', '--channels', '4,8,8', '--few-steps', '1,2', '--step-weights', '1,3', '--guidance-focus', '2',
      '--guidance-loss-weight', '--limit', '64', '--batch', '16', '--epochs', '1', '--warmup', '1', '--run-dir', dir], { stdio: 'pipe' });
    expect(fs.existsSync(path.join(dir, 'sheet-epoch-01.png'))).toBe(true);
    const log = fs.readFileSync(path.join(dir, 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((r) => 'heldOutLoss' in r).map((r) => Number.isFinite(r.heldOutLoss))).toEqual([true]);
    const raw = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const teacher = JSON.parse(fs.readFileSync('weights/teacher/manifest.json', 'utf8'));
    expect(raw.architecture).toMatchObject({ channels: [4, 8, 8], guidanceFeatures: 16, stepFeatures: 8, distilledSteps: [1, 2] });
    expect(raw.provenance).toMatchObject({ script: 'scripts/distill.ts', distilledFrom: { version: teacher.version }, guidanceFocus: 2, stepWeights: [1, 3], guidanceLossWeight: LOSS_WEIGHT_FORMULA });
    const bin = fs.readFileSync(path.join(out, 'model.bin'));
    const { params } = await loadWeights(raw, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length));
    const student = { params, unet: raw.architecture, schedule };
    const images = sample(student, { labels: [7], seeds: [1], steps: 2, guidance: 2, sampler: 'ddim' });
    expect(images.shape).toEqual([1, 28, 28, 1]);
    tf.dispose([images, ...Object.values(params)]);
  }, 150_000);
});
