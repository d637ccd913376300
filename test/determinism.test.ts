/** Same parameters + same weights = same bytes: across isolates, and between Node and workerd. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { encodePng, upscaleNearest } from '../src/image/png';
import { drawDigits } from '../src/model/generate';
import { useWasm } from './helpers/node-backend';
import { FEW_STEP, startWorker } from './helpers/worker';
import { loadShippedModel } from '../scripts/eval/models';

const workers: Miniflare[] = [];
beforeAll(async () => {
  await useWasm();
  workers.push(startWorker(), startWorker());
});
afterAll(() => Promise.all(workers.map((w) => w.dispose())));

const url = '/digit/8.png?seed=2024&steps=6&guidance=1.5&sampler=ddim&size=56';

describe('determinism', () => {
  it('gives byte-identical PNGs from two separate isolates', async () => {
    const [a, b] = await Promise.all(workers.map(async (w) => Buffer.from(await (await w.dispatchFetch(`http://localhost${url}`)).arrayBuffer())));
    expect(a.length).toBeGreaterThan(100);
    expect(a.equals(b)).toBe(true);
  });

  // One request per weight set: steps=6 is the general set's, the default request the few-step set's.
  it.each([
    ['weights', url, { steps: 6, guidance: 1.5, sampler: 'ddim' as const }],
    ['weights/few-step', '/digit/8.png?seed=2024&size=56', { steps: FEW_STEP.sampling.defaultSteps, guidance: FEW_STEP.sampling.defaultGuidance, sampler: FEW_STEP.sampling.defaultSampler as 'ddim' }],
  ])('gives the same bytes in Node as in workerd (same code, same weights in %s, same noise)', async (dir, path, sampling) => {
    // As the Worker loads a set: with its manifest's sampling (the guidance interval) too.
    const model = await loadShippedModel(dir);
    const { manifest } = model;
    const [image] = await drawDigits(model, { digits: [8], seeds: [2024], ...sampling });
    const node = Buffer.from(encodePng(upscaleNearest(image, 56, 56)));
    const res = await workers[0].dispatchFetch(`http://localhost${path}`);
    expect(res.headers.get('x-weights-version')).toBe(manifest.version);
    const edge = Buffer.from(await res.arrayBuffer());
    expect(node.equals(edge)).toBe(true);
  });
});
