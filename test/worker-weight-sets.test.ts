/**
 * Two weight sets in one Worker (src/model/weight-sets.ts): the few-step set draws the default
 * request and every request of up to its maxSteps, the general set the rest, on every route.
 * Which set drew an answer shows in X-Weights-Version, and so in its ETag and cache key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { greyPng } from './helpers/png';
import { FEW_STEP, GENERAL, startWorker } from './helpers/worker';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

const fetchOk = async (path: string, init?: { method: string; headers: Record<string, string>; body: Uint8Array }) => {
  const res = await mf.dispatchFetch(`http://localhost${path}`, init as never);
  const body = Buffer.from(await res.arrayBuffer());
  expect(res.status, `${path}: ${body.subarray(0, 200).toString()}`).toBe(200);
  return { version: res.headers.get('x-weights-version'), etag: res.headers.get('etag'), body };
};

const lastFewStep = FEW_STEP.sampling.maxSteps!;
const firstGeneral = lastFewStep + 1;
const picture = () => greyPng(28, 28, Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 3 ? 230 : 10)));
const post = (body: Uint8Array) => ({ method: 'POST', headers: { 'Content-Type': 'image/png' }, body });

describe('which weight set draws a request', () => {
  // Preconditions of the cases below: the fixtures differ where the routing must show.
  it('has two sets told apart by version and architecture, the default request inside the few-step range', () => {
    expect(FEW_STEP.version).not.toBe(GENERAL.version);
    expect(FEW_STEP.architecture.channels).not.toEqual(GENERAL.architecture.channels);
    expect(lastFewStep).toBeGreaterThanOrEqual(FEW_STEP.sampling.defaultSteps);
  });

  it('the default request: the few-step set, at its own defaults', async () => {
    const byDefault = await fetchOk('/digit/5.png?seed=7');
    expect(byDefault.version).toBe(FEW_STEP.version);
    const { defaultSteps, defaultGuidance, defaultSampler } = FEW_STEP.sampling;
    const spelledOut = await fetchOk(`/digit/5.png?seed=7&steps=${defaultSteps}&guidance=${defaultGuidance}&sampler=${defaultSampler}`);
    expect(spelledOut.body.equals(byDefault.body)).toBe(true);
    expect(spelledOut.etag).toBe(byDefault.etag);
  });

  it.each([
    [1, FEW_STEP],
    [lastFewStep, FEW_STEP],
    [firstGeneral, GENERAL],
    [10, GENERAL],
    [100, GENERAL],
  ])('steps=%i on every route', async (steps, set) => {
    const answers = [
      await fetchOk(`/digit/3.png?seed=1&steps=${steps}`),
      await fetchOk(`/digit/3.apng?seed=1&steps=${steps}`),
      await fetchOk(`/sheet.png?digits=38&seeds=2&seed=1&steps=${steps}`),
      await fetchOk(`/restyle?to=3&strength=0.7&seed=1&steps=${steps}`, post(picture())),
      await fetchOk(`/inpaint?digit=3&seed=1&steps=${steps}&mask=8,8,12,12`, post(picture())),
    ];
    for (const answer of answers) expect(answer.version).toBe(set.version);
  });

  it('RePaint: steps, not steps × resample, picks the set', async () => {
    const answer = await fetchOk(`/inpaint?digit=3&seed=1&steps=${lastFewStep}&resample=5&mask=8,8,12,12`, post(picture()));
    expect(answer.version).toBe(FEW_STEP.version);
  });

  it('a step count either side of the boundary leaves the defaults to the set that draws it', async () => {
    // Unseeded answers name their canonical URL, every default filled in: each side has its own set's guidance.
    for (const [steps, set] of [[lastFewStep, FEW_STEP], [firstGeneral, GENERAL]] as const) {
      const res = await mf.dispatchFetch(`http://localhost/digit/3.png?steps=${steps}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-weights-version')).toBe(set.version);
      expect(new URL(res.headers.get('content-location')!, 'http://x').searchParams.get('guidance')).toBe(String(set.sampling.defaultGuidance));
    }
  });

  it('GET /healthz names the default request’s weights', async () => {
    const health = (await (await mf.dispatchFetch('http://localhost/healthz')).json()) as { weightsVersion: string };
    expect(health.weightsVersion).toBe(FEW_STEP.version);
  });
});
