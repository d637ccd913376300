/**
 * The sampler's contracts, on the shipped weights: its fast path (conditioning
 * made once per run, kernels called without autodiff) draws what a plain loop
 * over the training forward pass draws; clean black backgrounds, strokes intact.
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawDigits } from '../src/model/generate';
import { Rng } from '../src/model/rng';
import { BACKGROUND_SNAP_GREY, DdimScheduler, distilledStepSize, sample, SAMPLERS, type Model } from '../src/model/sampler';
import { NoiseSchedule } from '../src/model/schedule';
import { denoise } from '../src/model/unet';
import { loadWeights } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';

async function load(dir: string): Promise<Model> {
  const bin = fs.readFileSync(`${dir}/model.bin`);
  const { manifest, params } = await loadWeights(JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length));
  return { params, unet: manifest.architecture, schedule: new NoiseSchedule(manifest.schedule) };
}

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
  it.each(SAMPLERS)('%s: no faint haze; most of the picture is exact black and the strokes stay bright', async (sampler) => {
    const digits = Array.from({ length: 20 }, (_, i) => i % 10);
    const images = await drawDigits(served, { digits, seeds: digits.map((_, i) => 100 + i), steps: 4, guidance: 2, sampler });
    const pixels = images.flatMap((im) => Array.from(im.pixels));
    const share = (test: (p: number) => boolean) => pixels.filter(test).length / pixels.length;
    expect(share((p) => p > 0 && p <= BACKGROUND_SNAP_GREY)).toBe(0);
    expect(share((p) => p === 0)).toBeGreaterThan(0.7);
    // Every digit keeps real ink: snapping the haze must not eat strokes.
    for (const im of images) expect(im.pixels.filter((p) => p > 200).length).toBeGreaterThan(20);
  });
});
