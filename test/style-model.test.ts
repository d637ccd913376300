/**
 * Style inputs in the network and in training: no style given is exactly the
 * network without style inputs (so a teacher extended with style starts as
 * itself), a given style changes the prediction, and the training options that
 * serve the realism work (background term, EMA targets) do what they say.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneToWidth } from '../scripts/compress/prune';
import { loadMnist, type Digits } from '../scripts/train/mnist';
import { DEFAULT_RECIPE, Trainer, type Recipe } from '../scripts/train/trainer';
import { Rng } from '../src/model/rng';
import { sample } from '../src/model/sampler';
import { DEFAULT_SCHEDULE, NoiseSchedule } from '../src/model/schedule';
import { DEFAULT_UNET, denoise, embedInputs, type UNetConfig } from '../src/model/unet';
import { useWasm } from './helpers/node-backend';
import { randomWeights, toParams } from './helpers/random-weights';

const schedule = new NoiseSchedule(DEFAULT_SCHEDULE);
const PLAIN: UNetConfig = { ...DEFAULT_UNET, channels: [8, 12, 16] };
const STYLED: UNetConfig = { ...PLAIN, styleFeatures: 8 };
const STUDENT: UNetConfig = { ...STYLED, guidanceFeatures: 8, stepFeatures: 4, distilledSteps: [1, 2] };

let data: Digits;
beforeAll(async () => {
  await useWasm();
  const all = loadMnist('train');
  data = { images: all.images.subarray(0, 128 * 784), labels: all.labels.subarray(0, 128), count: 128 };
});


const probe = () => {
  const rng = new Rng(5);
  return {
    x: tf.tensor4d(rng.normals(4 * 784), [4, 28, 28, 1]),
    t: tf.tensor1d([50, 300, 600, 900]),
    labels: tf.tensor1d([1, 4, 7, 10], 'int32'),
  };
};

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
}

describe('style inputs', () => {
  it('a network extended with style draws, with no style given, exactly what it drew before; a given style changes it', async () => {
    const plainWeights = randomWeights(PLAIN, 3);
    const extended = pruneToWidth(plainWeights, PLAIN, STYLED).weights;
    const { x, t, labels } = probe();
    const before = denoise(toParams(PLAIN, plainWeights), PLAIN, x, t, labels, 1000);
    const noStyle = denoise(toParams(STYLED, extended), STYLED, x, t, labels, 1000);
    expect(await maxDiff(before, noStyle)).toBe(0);
    // With the style rows trained (perturbed here), no style is still the zero vector's answer, and a style differs.
    const trained = randomWeights(STYLED, 4);
    const p = toParams(STYLED, trained);
    const absent = denoise(p, STYLED, x, t, labels, 1000);
    const explicitlyAbsent = denoise(p, STYLED, x, t, labels, 1000, { style: tf.tensor2d([[0.5, 3, 0], [-0.2, 2, 0], [0, 1, 0], [1, 5, 0]]) });
    expect(await maxDiff(absent, explicitlyAbsent)).toBe(0);
    const given = denoise(p, STYLED, x, t, labels, 1000, { style: tf.tensor2d([[0.5, 3, 1], [-0.2, 2, 1], [0, 1, 1], [1, 5, 1]]) });
    expect(await maxDiff(absent, given)).toBeGreaterThan(1e-3);
  });

  it('guidance is on the class and the style together: at w = 0 a style teacher draws as with no style, at w = 2 a style changes the drawing', async () => {
    const teacher = { params: toParams(STYLED, randomWeights(STYLED, 7)), unet: STYLED, schedule };
    const draw = (guidance: number, styled: boolean) =>
      sample(teacher, { labels: [3, 8], seeds: [1, 2], steps: 4, guidance, sampler: 'ddim', styles: styled ? [{ slant: 0.4, thickness: 3.5 }, { slant: -0.3, thickness: 1.5 }] : [null, null] });
    const [plain0, styled0, plain2, styled2] = [draw(0, false), draw(0, true), draw(2, false), draw(2, true)];
    // w = 0 is the unconditional pass alone, which is given neither the class nor the style.
    expect(await maxDiff(plain0, styled0)).toBe(0);
    expect(await maxDiff(plain2, styled2)).toBeGreaterThan(1e-3);
    tf.dispose([plain0, styled0, plain2, styled2, ...Object.values(teacher.params)]);
  });

  it('pruning a style teacher into a student keeps each conditioning input in its own rows', () => {
    const teacher = randomWeights(STYLED, 6);
    const student = pruneToWidth(teacher, STYLED, STUDENT).weights;
    const width = (cfg: UNetConfig) => embedInputs(cfg).reduce((n, p) => n + p.width, 0);
    const rowsOf = (cfg: UNetConfig, w: Float32Array, part: string) => {
      let start = 0;
      for (const p of embedInputs(cfg)) {
        if (p.part === part) return w.slice(start * 64, (start + p.width) * 64);
        start += p.width;
      }
      throw new Error(`no ${part} rows`);
    };
    expect(student['embed1.w'].length).toBe(width(STUDENT) * 64);
    // The style rows land after the student's guidance and step rows, not on them.
    expect(Array.from(rowsOf(STUDENT, student['embed1.w'], 'style'))).toEqual(Array.from(rowsOf(STYLED, teacher['embed1.w'], 'style')));
    expect(rowsOf(STUDENT, student['embed1.w'], 'guidance').every((v) => v === 0)).toBe(true);
    expect(rowsOf(STUDENT, student['embed1.w'], 'step').every((v) => v === 0)).toBe(true);
  });
});

describe('training with style', () => {
  const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 16, epochs: 1, warmupSteps: 1 };

  it('trains a style network on measured styles: loss finite, the style rows of embed1 move', async () => {
    const trainer = new Trainer({ ...recipe, styleDropout: 0.5 }, STYLED, schedule, data);
    const styles = trainer.styles!;
    expect(styles.length).toBe(2 * data.count);
    // Real slants and thicknesses, not placeholders.
    expect(Math.min(...styles.filter((_, i) => i % 2 === 1))).toBeGreaterThan(0.5);
    const before = await trainer.snapshot();
    const stats = await trainer.trainStep();
    expect(Number.isFinite(stats.loss)).toBe(true);
    const after = await trainer.snapshot();
    const styleRows = embedInputs(STYLED).slice(0, -1).reduce((n, p) => n + p.width, 0);
    const moved = (name: string, from = 0) => after.groups.params[name].slice(from).some((v, i) => v !== before.groups.params[name][from + i]);
    expect(moved('embed1.w', styleRows * 64)).toBe(true);
    trainer.dispose();
  });

  it('the background term adds to the loss, by an amount that grows with its weight', async () => {
    const loss = async (backgroundLoss: number) => {
      const trainer = new Trainer(recipe, PLAIN, schedule, data, { init: randomWeights(PLAIN, 9), emphasis: { guidanceFocus: null, stepWeights: [], smallStepShare: null, guidanceLossWeight: false, backgroundLoss } });
      const { loss } = await trainer.trainStep();
      trainer.dispose();
      return loss;
    };
    const [none, some, more] = [await loss(0), await loss(1), await loss(4)];
    expect(some).toBeGreaterThan(none);
    // Same batch, same weights: the extra is linear in the weight.
    expect((more - none) / (some - none)).toBeCloseTo(4, 3);
  });
});
