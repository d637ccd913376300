/**
 * A set that takes the requests drawn in a given hand that name no steps (sampling.styledDefault),
 * served by the bundled Worker in workerd: the general set as `npm run set-sampling -- weights
 * --styled-default` leaves it, beside the same bundle with `--no-styled-default`. A slant or
 * thickness on GET /digit or /sheet, every GET /number and POST /imitate then draw what naming
 * the general set's own default steps draws; a plain request stays with the default request's set.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { withSampling } from '../scripts/set-sampling';
import type { Manifest } from '../src/model/weights';
import { bundleWithSampling, fetchOk, FEW_STEP, GENERAL, startWorker } from './helpers/worker';

const stockManifest = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
const taking = withSampling(stockManifest, { styledDefault: true }, '2026-12-06');
const leaving = withSampling(stockManifest, { styledDefault: null }, '2026-12-06');
const GENERAL_STEPS = GENERAL.sampling.defaultSteps;

let takes: Miniflare;
let leaves: Miniflare;
beforeAll(() => {
  takes = startWorker(bundleWithSampling(GENERAL.version, taking));
  leaves = startWorker(bundleWithSampling(GENERAL.version, leaving));
});
afterAll(() => Promise.all([takes, leaves].map((mf) => mf?.dispose())));

const IN_HAND = ['/digit/3.png?seed=11&slant=0.2', '/digit/8.apng?seed=4&thickness=3', '/sheet.png?seed=2&seeds=2&digits=17&slant=-0.1', '/number/2026.png?seed=7'];

describe('a set that takes the styled default, in workerd', () => {
  it('keeps its weights version, and GET /model and the OpenAPI document say which set draws a hand by default', async () => {
    expect(taking.version).toBe(stockManifest.version);
    const model = JSON.parse((await fetchOk(takes, '/model')).body.toString()) as { weightSets: { name: string; sampling: Manifest['sampling'] }[] };
    expect(model.weightSets.map((s) => [s.name, s.sampling.styledDefault])).toEqual([
      [FEW_STEP.name, undefined],
      [GENERAL.name, true],
    ]);
    const openapi = (await fetchOk(takes, '/openapi.json')).body.toString();
    expect(openapi).toContain(`with a style given (slant or thickness, /number, /imitate), ${GENERAL_STEPS}, drawn by ${GENERAL.name}`);
    expect((await fetchOk(leaves, '/openapi.json')).body.toString()).not.toContain('drawn by');
  });

  it('draws a digit, an animation, a sheet and a number in a given hand as naming its steps does, and a plain digit with the default set', async () => {
    for (const path of IN_HAND) {
      const got = await fetchOk(takes, path);
      const named = await fetchOk(takes, `${path}&steps=${GENERAL_STEPS}`);
      expect(got.version, path).toBe(GENERAL.version);
      expect(got.body.equals(named.body), path).toBe(true);
      // The cache key and ETag hold the filled-in steps: the same answer, the same validator.
      expect(got.etag, path).toBe(named.etag);
      // Without the flag the default request's set draws it, as before.
      expect((await fetchOk(leaves, path)).version, path).toBe(FEW_STEP.version);
    }
    const plain = await fetchOk(takes, '/digit/3.png?seed=11');
    expect(plain.version).toBe(FEW_STEP.version);
    expect(plain.body.equals((await fetchOk(leaves, '/digit/3.png?seed=11')).body)).toBe(true);
  });

  it('imitates a writer with the set that takes the styled default', async () => {
    const source = (await fetchOk(takes, '/digit/4.png?seed=3&size=112')).body;
    const post = (mf: Miniflare, query: string) => fetchOk(mf, `/imitate?${query}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: source });
    const got = await post(takes, 'digits=71&seed=9');
    expect(got.version).toBe(GENERAL.version);
    expect(got.body.equals((await post(takes, `digits=71&seed=9&steps=${GENERAL_STEPS}`)).body)).toBe(true);
    expect((await post(leaves, 'digits=71&seed=9')).version).toBe(FEW_STEP.version);
  });
});
