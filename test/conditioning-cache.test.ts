/**
 * The conditioning cache: a run asked before skips the conditioning's kernel
 * calls and draws the same bytes; it holds plain arrays within its budget, so
 * the tensor count stays flat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditioningCache, conditioningCacheOf, type RunConditioning } from '../src/model/conditioning-cache';
import { drawDigits } from '../src/model/generate';
import type { DrawRequest } from '../src/model/generate';
import type { Model } from '../src/model/sampler';
import { loadShippedModel } from '../scripts/eval/models';
import { useWasm } from './helpers/node-backend';

let general: Model;
let teacher: Model;
beforeAll(async () => {
  await useWasm();
  [general, teacher] = await Promise.all([loadShippedModel('weights'), loadShippedModel('weights/teacher')]);
});

/** The same weights with a cache of their own, cold. */
const coldCopy = (model: Model): Model => ({ ...model, params: { ...model.params } });

async function kernelsAndBytes(model: Model, req: DrawRequest) {
  let pixels: Uint8Array[] = [];
  const { kernels } = await tf.profile(async () => {
    pixels = (await drawDigits(model, req)).map((im) => im.pixels);
  });
  return { kernels: kernels.length, pixels };
}

describe('the conditioning cache', () => {
  it.each([
    ['a guidance-distilled set, 4 steps', () => general, { digits: [7], seeds: [3], steps: 4, guidance: 2.25, sampler: 'ddim' as const }],
    ['a classifier-free-guidance teacher, 3 steps, two passes', () => teacher, { digits: [2, 9], seeds: [5, 6], steps: 3, guidance: 2, sampler: 'dpmpp' as const }],
  ])('%s: a second run of the same request calls fewer kernels and draws the same bytes', async (_, model, req) => {
    const m = coldCopy(model());
    const cold = await kernelsAndBytes(m, req);
    const before = tf.memory().numTensors;
    const warm = await kernelsAndBytes(m, { ...req, seeds: req.seeds });
    expect(warm.pixels).toEqual(cold.pixels);
    // The conditioning MLP and projections are skipped: dozens of kernel calls.
    expect(warm.kernels).toBeLessThan(cold.kernels - 20);
    // Another seed, same conditioning: still a hit, and a different digit.
    const otherSeed = await kernelsAndBytes(m, { ...req, seeds: req.seeds.map((s) => s + 100) });
    expect(otherSeed.kernels).toBe(warm.kernels);
    expect(otherSeed.pixels).not.toEqual(warm.pixels);
    // A different guidance is a different conditioning for a distilled set (a miss), never a stale hit.
    const otherGuidance = await kernelsAndBytes(m, { ...req, guidance: 3 });
    const freshOther = await kernelsAndBytes(coldCopy(model()), { ...req, guidance: 3 });
    expect(otherGuidance.pixels).toEqual(freshOther.pixels);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws in a hand from the cache exactly as without it, and tells hands apart', async () => {
    const hand = await loadShippedModel('weights/hand');
    const req = (slant: number): DrawRequest => ({ digits: [4], seeds: [8], steps: 4, guidance: 2, sampler: 'dpmpp', styles: [{ slant, thickness: 2.5 }] });
    const m = coldCopy(hand);
    const first = await kernelsAndBytes(m, req(0.3));
    expect((await kernelsAndBytes(m, req(0.3))).pixels).toEqual(first.pixels);
    const other = await kernelsAndBytes(m, req(-0.3));
    expect(other.pixels).toEqual((await kernelsAndBytes(coldCopy(hand), req(-0.3))).pixels);
    expect(other.pixels).not.toEqual(first.pixels);
  });

  it('keeps at most its budget of floats, dropping the least recently used run first, and never a run over an eighth of it', () => {
    const run = (floats: number): RunConditioning => ({ enc0: { values: new Float32Array(floats), channels: 1 } });
    const cache = new ConditioningCache(800);
    cache.set('a', run(100));
    cache.set('b', run(100));
    cache.set('c', run(100));
    expect(cache.heldFloats).toBe(300);
    cache.get('a');
    for (const key of ['d', 'e', 'f', 'g', 'h', 'i']) cache.set(key, run(100));
    // 900 floats asked for 800: the oldest unused ('b') went; 'a', used since, stayed.
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.heldFloats).toBe(800);
    cache.set('big', run(101));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(8);
  });

  it('is one per weight set', () => {
    expect(conditioningCacheOf(general.params)).toBe(conditioningCacheOf(general.params));
    expect(conditioningCacheOf(general.params)).not.toBe(conditioningCacheOf(teacher.params));
  });
});
