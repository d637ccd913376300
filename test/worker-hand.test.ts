/**
 * The set that draws every request in a given hand (sampling.hand: weights/hand), served by
 * the bundled Worker in workerd: a slant or thickness on GET /digit, .apng or /sheet, every
 * GET /number and POST /imitate are drawn by it, at any steps, and by default at its own
 * defaults; plain requests stay with the plain sets, byte for byte as before it was served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { Manifest } from '../src/model/weights';
import { fetchOk, FEW_STEP, GENERAL, HAND, startWorker } from './helpers/worker';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf?.dispose());

const IN_HAND = ['/digit/3.png?seed=11&slant=0.2', '/digit/8.apng?seed=4&thickness=3', '/sheet.png?seed=2&seeds=2&digits=17&slant=-0.1', '/number/2026.png?seed=7'];
const { defaultSteps, defaultGuidance, defaultSampler } = HAND.sampling;

describe('the hand set, in workerd', () => {
  it('is decoded on the first request in a hand, not at start-up', async () => {
    const fresh = startWorker();
    try {
      const tensors = async () => (JSON.parse((await fetchOk(fresh, '/healthz')).body.toString()) as { tensors: number }).tensors;
      const atStart = await tensors();
      await fetchOk(fresh, '/digit/3.png?seed=1&steps=10');
      const withGeneral = await tensors();
      expect(withGeneral).toBeGreaterThan(atStart);
      await fetchOk(fresh, '/digit/3.png?seed=1&slant=0.2');
      const withHand = await tensors();
      expect(withHand).toBeGreaterThan(withGeneral);
      // Once decoded, a set stays: more requests of each kind add nothing.
      await fetchOk(fresh, '/digit/4.png?seed=2&thickness=3');
      await fetchOk(fresh, '/digit/4.png?seed=2&steps=12');
      expect(await tensors()).toBe(withHand);
    } finally {
      await fresh.dispose();
    }
  });


  it('is listed by GET /model for every step count, and the OpenAPI document says it draws a hand', async () => {
    const model = JSON.parse((await fetchOk(mf, '/model')).body.toString()) as { weightSets: { name: string; steps: [number, number]; sampling: Manifest['sampling'] }[]; guidanceBySteps: { weightSet: string; hand?: true }[] };
    expect(model.weightSets.map((s) => [s.name, s.steps, s.sampling.hand])).toEqual([
      [FEW_STEP.name, [1, FEW_STEP.sampling.maxSteps], undefined],
      [GENERAL.name, [FEW_STEP.sampling.maxSteps! + 1, 100], undefined],
      [HAND.name, [1, 100], true],
    ]);
    expect(model.guidanceBySteps.filter((s) => s.hand).map((s) => s.weightSet)).toEqual([HAND.name]);
    const openapi = (await fetchOk(mf, '/openapi.json')).body.toString();
    expect(openapi).toContain(`drawn by ${HAND.name} at any steps, ${defaultSteps} by default`);
  });

  it('draws a digit, an animation, a sheet and a number in a given hand, by default at its own defaults', async () => {
    for (const path of IN_HAND) {
      const got = await fetchOk(mf, path);
      const named = await fetchOk(mf, `${path}&steps=${defaultSteps}&guidance=${defaultGuidance}&sampler=${defaultSampler}`);
      expect(got.version, path).toBe(HAND.version);
      expect(got.body.equals(named.body), path).toBe(true);
      // The cache key and ETag hold the filled-in parameters: the same answer, the same validator.
      expect(got.etag, path).toBe(named.etag);
      // At any steps named, the hand set still draws it.
      for (const steps of [1, 10]) expect((await fetchOk(mf, `${path}&steps=${steps}`)).version, `${path} at ${steps}`).toBe(HAND.version);
    }
  });

  it('leaves plain requests to the plain sets', async () => {
    expect((await fetchOk(mf, '/digit/3.png?seed=11')).version).toBe(FEW_STEP.version);
    expect((await fetchOk(mf, '/digit/3.png?seed=11&steps=10')).version).toBe(GENERAL.version);
    expect((await fetchOk(mf, '/sheet.png?seed=2&seeds=2&digits=17')).version).toBe(FEW_STEP.version);
  });

  it('imitates a writer, at any steps', async () => {
    const source = (await fetchOk(mf, '/digit/4.png?seed=3&size=112')).body;
    const post = (query: string) => fetchOk(mf, `/imitate?${query}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: source });
    const got = await post('digits=71&seed=9');
    expect(got.version).toBe(HAND.version);
    expect(got.body.equals((await post(`digits=71&seed=9&steps=${defaultSteps}`)).body)).toBe(true);
    expect((await post('digits=71&seed=9&steps=2')).version).toBe(HAND.version);
  });
});
