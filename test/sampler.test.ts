/**
 * The sampler's contracts, on the shipped weights: its fast path (conditioning
 * made once per run, kernels called without autodiff) draws what a plain loop
 * over the training forward pass draws; black backgrounds with anti-aliased rims, strokes intact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawDigits } from '../src/model/generate';
import { rawGreyLevels } from '../src/image/grey';
import { FAINT_GREY, INK_GREY } from '../src/image/haze';
import { Rng } from '../src/model/rng';
import { DdimScheduler, distilledStepSize, sample, SAMPLERS, type Model } from '../src/model/sampler';
import { denoise } from '../src/model/unet';
import { useWasm } from './helpers/node-backend';
import { loadShippedModel } from '../scripts/eval/models';

const load = (dir: string): Promise<Model> => loadShippedModel(dir);

let served: Model;
let teacher: Model;
beforeAll(async () => {
  await useWasm();
  [served, teacher] = await Promise.all([load('weights'), load('weights/teacher')]);
});

describe('the fast path', () => {
  /** The textbook loop: one plain forward pass per step (guided from two rows for a classifier-free-guidance teacher), DDIM steps. */
  function referenceSample(model: Model, labels: number[], seeds: number[], steps: number, guidance: number): tf.Tensor4D {
    const { params, unet, schedule } = model;
    const scheduler = new DdimScheduler(schedule, steps);
    const stepSize = distilledStepSize(model, steps, 'ddim', false);
    const noise = seeds.flatMap((seed) => Array.from(new Rng(seed).normals(784)));
    let x = tf.tensor4d(noise, [labels.length, 28, 28, 1]);
    for (const t of scheduler.timesteps) {
      const next = tf.tidy(() => {
        const n = labels.length;
        const forward = (ys: number[]) =>
          denoise(params, unet, x, tf.fill([n], t) as tf.Tensor1D, tf.tensor1d(ys, 'int32'), schedule.timesteps,
            unet.guidanceFeatures ? { guidance: tf.fill([n], guidance) as tf.Tensor1D, stepSize: tf.fill([n], stepSize) as tf.Tensor1D } : {});
        let v = forward(labels);
        if (!unet.guidanceFeatures) {
          const vUncond = forward(labels.map(() => unet.classes));
          v = tf.add(vUncond, tf.mul(tf.sub(v, vUncond), guidance));
        }
        return scheduler.step(v, t, x).xPrev;
      });
      x.dispose();
      x = next;
    }
    return x;
  }

  it.each([
    ['served student, distilled 2 steps', () => served, 2],
    ['served student, 5 small steps', () => served, 5],
    ['teacher, 3 guided steps', () => teacher, 3],
  ] as const)('%s: sample() (conditioning made once per run, no autodiff) lands where the textbook loop does', async (_, model, steps) => {
    const labels = [3, 8, 0];
    const seeds = [11, 12, 13];
    const fast = (await sample(model(), { labels, seeds, steps, guidance: 2.5, sampler: 'ddim' }).data()) as Float32Array;
    const reference = (await referenceSample(model(), labels, seeds, steps, 2.5).data()) as Float32Array;
    const worst = fast.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i])), 0);
    expect(worst).toBeLessThan(1e-4);
    // Real digits, not a blank both loops agree on: a tenth of the pixels are ink.
    expect(reference.filter((v) => v > 0).length).toBeGreaterThan(0.1 * reference.length);
  });
});

describe('background', () => {
  it.each(SAMPLERS)('%s: no faint haze away from ink, faint rims kept beside it, strokes bright', async (sampler) => {
    const digits = Array.from({ length: 20 }, (_, i) => i % 10);
    const seeds = digits.map((_, i) => 100 + i);
    const images = await drawDigits(served, { digits, seeds, steps: 4, guidance: 2, sampler });
    const raw = await rawGrey(sample(served, { labels: digits, seeds, steps: 4, guidance: 2, sampler }));
    let faint = 0;
    let faintRaw = 0;
    images.forEach((im, i) => {
      for (let p = 0; p < im.pixels.length; p++) {
        const touchesInk = neighbours(p).some((q) => im.pixels[q] > INK_GREY);
        if (im.pixels[p] > 0 && im.pixels[p] <= FAINT_GREY) {
          faint++;
          // Every faint pixel left is a rim.
          expect(touchesInk).toBe(true);
        }
        if (raw[i][p] > 0 && raw[i][p] <= FAINT_GREY) faintRaw++;
        // Only faint pixels away from ink change; everything else is as the network drew it.
        if (touchesInk || raw[i][p] > FAINT_GREY) expect(im.pixels[p]).toBe(raw[i][p]);
      }
    });
    const pixels = images.flatMap((im) => Array.from(im.pixels));
    expect(pixels.filter((p) => p === 0).length / pixels.length).toBeGreaterThan(0.7);
    // The rule has work to do (the raw output is hazy) and keeps some rims.
    expect(faintRaw).toBeGreaterThan(2 * faint);
    expect(faint).toBeGreaterThan(0);
    for (const im of images) expect(im.pixels.filter((p) => p > 200).length).toBeGreaterThan(20);
  });
});

/** The 8 neighbours of pixel p in a 28×28 image. */
function neighbours(p: number): number[] {
  const [x, y] = [p % 28, Math.floor(p / 28)];
  const out: number[] = [];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    if ((dx || dy) && x + dx >= 0 && x + dx < 28 && y + dy >= 0 && y + dy < 28) out.push((y + dy) * 28 + x + dx);
  }
  return out;
}

/** The sampler's output as grey levels with no post-processing, one array per image (disposes the tensor). */
async function rawGrey(images: tf.Tensor4D): Promise<Int32Array[]> {
  const levels = rawGreyLevels(images);
  const data = (await levels.data()) as Int32Array;
  tf.dispose([levels, images]);
  return Array.from({ length: images.shape[0] }, (_, i) => data.slice(i * 784, (i + 1) * 784));
}
