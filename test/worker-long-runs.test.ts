/**
 * A weight set with other guidance for long runs (sampling.longRuns), served by the bundled
 * Worker in workerd: the general set as `npm run set-sampling -- weights --long-runs 10:4.5:0.1,0.8`
 * leaves it, next to the stock bundle. A request of 10 steps or more that names no guidance gets
 * 4.5; every run of those steps, guidance given or not, is guided only in 0.1·T-0.8·T, and draws
 * what Node draws with that guidance and band named outright; shorter runs draw as before; the
 * browser client's defaults (src/client/options.ts) give the Worker's pixels.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { loadShippedModel } from '../scripts/eval/models';
import { withSampling } from '../scripts/set-sampling';
import { withManifestDefaults } from '../src/client/options';
import { tensorToGrey } from '../src/image/grey';
import { encodePng, upscaleNearest } from '../src/image/png';
import { sample, type Model, type SampleOptions } from '../src/model/sampler';
import type { Params } from '../src/model/unet';
import { modelOf, type Manifest } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';
import { bundleWithSampling, decodeGreyPng, FEW_STEP, GENERAL, HAND, startWorker } from './helpers/worker';

const band = { from: 0.1, to: 0.8 };
const longRuns = { fromSteps: 10, defaultGuidance: 4.5, guidanceInterval: band };
const stockManifest = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
const edited = withSampling(stockManifest, { longRuns }, '2026-12-06');

let stock: Miniflare;
let long: Miniflare;
let params: Params;
beforeAll(async () => {
  await useWasm();
  stock = startWorker();
  long = startWorker(bundleWithSampling(GENERAL.version, edited));
  // The binary is the stock set's: set-sampling never touches it.
  params = (await loadShippedModel('weights')).params;
});
afterAll(() => Promise.all([stock, long].map((mf) => mf?.dispose())));

const get = async (mf: Miniflare, path: string) => {
  const res = await mf.dispatchFetch(`http://localhost${path}`);
  const body = Buffer.from(await res.arrayBuffer());
  expect(res.status, `${path}: ${body.subarray(0, 200).toString()}`).toBe(200);
  return { body, version: res.headers.get('x-weights-version'), etag: res.headers.get('etag'), canonical: res.headers.get('content-location') };
};

/** The general set as the Worker and the client make it from `manifest` (modelOf); without its sampling it guides every step unless told otherwise. */
function general(manifest: Manifest, withOwnSampling = true): Model {
  const { sampling, ...model } = modelOf(manifest, params);
  return withOwnSampling ? { ...model, sampling } : model;
}

/** One digit drawn in Node, as the PNG GET /digit returns at size 56. */
async function nodePng(model: Model, opts: Pick<SampleOptions, 'steps' | 'guidance' | 'guidanceInterval'> & { digit: number; seed: number }): Promise<Buffer> {
  const images = sample(model, { labels: [opts.digit], seeds: [opts.seed], sampler: 'ddim', ...opts });
  const [image] = await tensorToGrey(images);
  images.dispose();
  return Buffer.from(encodePng(upscaleNearest(image, 56, 56)));
}

describe('a set with long runs, in workerd', () => {
  it('GET /model lists the entry, the new version and the guidance of every step count; the OpenAPI document the default by steps', async () => {
    expect(edited.version).not.toBe(GENERAL.version);
    const model = JSON.parse((await get(long, '/model')).body.toString()) as {
      weightSets: { name: string; weightsVersion: string; sampling: Manifest['sampling'] }[];
      guidanceBySteps: unknown[];
    };
    const set = model.weightSets.find((s) => s.name === GENERAL.name)!;
    expect(set.weightsVersion).toBe(edited.version);
    expect(set.sampling.longRuns).toEqual(longRuns);
    const lastFewStep = FEW_STEP.sampling.maxSteps!;
    expect(model.guidanceBySteps).toEqual([
      { weightSet: FEW_STEP.name, steps: [1, lastFewStep], defaultGuidance: FEW_STEP.sampling.defaultGuidance },
      { weightSet: GENERAL.name, steps: [lastFewStep + 1, 9], defaultGuidance: GENERAL.sampling.defaultGuidance },
      { weightSet: GENERAL.name, steps: [10, 100], defaultGuidance: 4.5, guidanceInterval: band },
      { weightSet: HAND.name, steps: [1, 100], defaultGuidance: HAND.sampling.defaultGuidance, hand: true },
    ]);
    const openapi = (await get(long, '/openapi.json')).body.toString();
    expect(openapi).toContain(`the default depends on the steps: ${FEW_STEP.sampling.defaultGuidance} at 1-${lastFewStep} steps, ${GENERAL.sampling.defaultGuidance} at ${lastFewStep + 1}-9 steps, 4.5 at 10-100 steps`);
  });

  it('a request of fromSteps steps or more that names no guidance gets the long-run default, and draws what Node draws with it and its band named', async () => {
    const left = await get(long, '/digit/3.png?seed=7&steps=10&size=56');
    const named = await get(long, '/digit/3.png?seed=7&steps=10&size=56&guidance=4.5');
    expect(left.version).toBe(edited.version);
    expect(left.body.equals(named.body)).toBe(true);
    expect(left.etag).toBe(named.etag);
    expect(new URL((await get(long, '/digit/3.png?steps=10')).canonical!, 'http://x').searchParams.get('guidance')).toBe('4.5');
    const plain = general(stockManifest, false);
    const explicit = await nodePng(plain, { digit: 3, seed: 7, steps: 10, guidance: 4.5, guidanceInterval: band });
    expect(left.body.equals(explicit)).toBe(true);
    // The band changes the picture: guided at every step, the same request draws otherwise.
    expect(explicit.equals(await nodePng(plain, { digit: 3, seed: 7, steps: 10, guidance: 4.5 }))).toBe(false);
  });

  it('the band belongs to the step count: a long run at a guidance the request names is guided in it too', async () => {
    const answer = await get(long, '/digit/5.png?seed=11&steps=12&size=56&guidance=3');
    const plain = general(stockManifest, false);
    expect(answer.body.equals(await nodePng(plain, { digit: 5, seed: 11, steps: 12, guidance: 3, guidanceInterval: band }))).toBe(true);
    // The stock set, with no long runs, guides every step of the same request.
    expect(answer.body.equals((await get(stock, '/digit/5.png?seed=11&steps=12&size=56&guidance=3')).body)).toBe(false);
  });

  it('a shorter run, and the default request, draw the bytes the set without the entry draws', async () => {
    for (const path of ['/digit/3.png?seed=7&steps=9&size=56', '/digit/3.png?seed=7&steps=5&size=56&guidance=3', '/digit/3.png?seed=7']) {
      const [before, after] = await Promise.all([get(stock, path), get(long, path)]);
      expect(after.body.equals(before.body), path).toBe(true);
    }
  });

  it('the client’s defaults (src/client/options.ts) and the client’s model give the Worker’s pixels', async () => {
    const model = general(edited);
    for (const options of [{ digit: 3, seed: 7, steps: 10 }, { digit: 8, seed: 3, steps: 9 }, { digit: 1, seed: 4, steps: 20, guidance: 2 }]) {
      const { steps, guidance, sampler } = withManifestDefaults(options, edited);
      const images = sample(model, { labels: [options.digit], seeds: [options.seed], steps, guidance, sampler });
      const [image] = await tensorToGrey(images);
      images.dispose();
      const query = new URLSearchParams(Object.entries(options).filter(([k]) => k !== 'digit').map(([k, v]) => [k, String(v)]));
      const edge = decodeGreyPng(new Uint8Array((await get(long, `/digit/${options.digit}.png?${query}`)).body).buffer);
      expect(Array.from(image.pixels), JSON.stringify(options)).toEqual(Array.from(edge.grey));
    }
  });
});
