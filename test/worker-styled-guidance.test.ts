/**
 * A weight set with another default guidance and sampler for runs in a given hand
 * (sampling.styledGuidance, styledSampler), served by the bundled Worker in workerd: the general
 * set as `npm run set-sampling -- weights --styled-guidance 3.25 --styled-sampler S` leaves it (S
 * the sampler it does not use for plain runs), next to the stock bundle. A request that gives a
 * style and names neither (a slant or thickness on GET /digit or /sheet, every GET /number and
 * POST /imitate) draws what the stock Worker draws with guidance=3.25&sampler=S named; a plain
 * one draws as before; the browser client's defaults (src/client/options.ts) agree.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { withSampling } from '../scripts/set-sampling';
import { withManifestDefaults } from '../src/client/options';
import type { Manifest } from '../src/model/weights';
import { bundleWithSampling, fetchOk, FEW_STEP, GENERAL, startWorker } from './helpers/worker';

const STYLED = 3.25;
const stockManifest = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
const STYLED_SAMPLER = stockManifest.sampling.defaultSampler === 'ddim' ? 'dpmpp' : 'ddim';
const edited = withSampling(stockManifest, { styledGuidance: STYLED, styledSampler: STYLED_SAMPLER }, '2026-12-06');
/** What a styled request names on the stock Worker to draw what the edited one draws by default. */
const NAMED = `guidance=${STYLED}&sampler=${STYLED_SAMPLER}`;

let stock: Miniflare;
let styled: Miniflare;
beforeAll(() => {
  stock = startWorker();
  styled = startWorker(bundleWithSampling(GENERAL.version, edited));
});
afterAll(() => Promise.all([stock, styled].map((mf) => mf?.dispose())));

describe('a set with a styled default guidance and sampler, in workerd', () => {
  it('keeps its weights version, and GET /model and the OpenAPI document list the styled defaults', async () => {
    expect(edited.version).toBe(GENERAL.version);
    const model = JSON.parse((await fetchOk(styled, '/model')).body.toString()) as {
      weightSets: { name: string; sampling: Manifest['sampling'] }[];
      guidanceBySteps: { weightSet: string; styledGuidance?: number }[];
    };
    const { sampling } = model.weightSets.find((s) => s.name === GENERAL.name)!;
    expect([sampling.styledGuidance, sampling.styledSampler]).toEqual([STYLED, STYLED_SAMPLER]);
    expect(model.guidanceBySteps.map((s) => [s.weightSet, s.styledGuidance])).toEqual([
      [FEW_STEP.name, FEW_STEP.sampling.styledGuidance],
      [GENERAL.name, STYLED],
    ]);
    const openapi = (await fetchOk(styled, '/openapi.json')).body.toString();
    const lastFewStep = FEW_STEP.sampling.maxSteps!;
    expect(openapi).toContain(`with a style given (slant or thickness, /number, /imitate): ${FEW_STEP.sampling.styledGuidance} at 1-${lastFewStep} steps, ${STYLED} at ${lastFewStep + 1}-100 steps`);
    expect(openapi).toContain(`with a style given (slant or thickness, /number, /imitate): ${STYLED_SAMPLER} on ${GENERAL.name}`);
  });

  it('draws a digit, a sheet and a number in a given hand with the styled defaults, and a plain digit as before', async () => {
    for (const path of ['/digit/3.png?steps=6&seed=11&slant=0.2', '/digit/8.png?steps=12&seed=4&thickness=3', '/sheet.png?steps=5&seed=2&seeds=2&digits=17&slant=-0.1', '/number/2026.png?steps=6&seed=7']) {
      const got = await fetchOk(styled, path);
      const named = await fetchOk(stock, `${path}&${NAMED}`);
      expect(got.body.equals(named.body), path).toBe(true);
      // The cache key and ETag hold the filled-in guidance and sampler: the same answer, the same validator.
      expect(got.etag, path).toBe(named.etag);
    }
    const plainPath = '/digit/3.png?steps=6&seed=11';
    const plain = await fetchOk(styled, plainPath);
    const stockPlain = await fetchOk(stock, plainPath);
    expect(plain.body.equals(stockPlain.body)).toBe(true);
    expect(plain.etag).toBe(stockPlain.etag);
    expect(plain.body.equals((await fetchOk(styled, `${plainPath}&guidance=${STYLED}`)).body)).toBe(false);
  });

  it('imitates a writer with the styled defaults', async () => {
    const source = (await fetchOk(stock, '/digit/4.png?seed=3&size=112')).body;
    const post = (mf: Miniflare, query: string) => fetchOk(mf, `/imitate?${query}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: source });
    const got = await post(styled, 'digits=71&steps=6&seed=9');
    expect(got.body.equals((await post(stock, `digits=71&steps=6&seed=9&${NAMED}`)).body)).toBe(true);
  });

  it("gives the browser client's drawings the Worker's defaults: styled with a hand, plain without", () => {
    const base = { digit: 3, seed: 1, steps: 6 };
    const sampling = (p: { guidance: number; sampler: string }) => [p.guidance, p.sampler];
    expect(sampling(withManifestDefaults({ ...base, slant: 0.2 }, edited))).toEqual([STYLED, STYLED_SAMPLER]);
    expect(sampling(withManifestDefaults(base, edited))).toEqual([GENERAL.sampling.defaultGuidance, GENERAL.sampling.defaultSampler]);
    // A number is always in a hand, drawn from the seed when none is given.
    expect(sampling(withManifestDefaults(base, edited, true))).toEqual([STYLED, STYLED_SAMPLER]);
    expect(sampling(withManifestDefaults({ ...base, slant: 0.2, guidance: 1.5, sampler: GENERAL.sampling.defaultSampler as 'ddim' }, edited))).toEqual([1.5, GENERAL.sampling.defaultSampler]);
  });
});
