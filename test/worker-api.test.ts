/** The API as a client sees it: the bundled Worker in workerd, real PNG decoding, the committed weights. */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { decodeGreyPng, FEW_STEP, GENERAL, HAND, SERVED_DEFAULTS, startWorker } from './helpers/worker';

let mf: Miniflare;
const get = (path: string, init?: RequestInit) => mf.dispatchFetch(`http://localhost${path}`, init as never);
const bytes = async (path: string) => new Uint8Array(await (await get(path)).arrayBuffer());

beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

describe('GET /digit/:d.png', () => {
  it('returns a grey 28×28 PNG by default, white ink on black', async () => {
    const res = await get('/digit/5.png?seed=42');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-seed')).toBe('42');
    const png = decodeGreyPng(await res.arrayBuffer());
    expect([png.width, png.height]).toEqual([28, 28]);
    // MNIST convention: mostly black background, some bright ink.
    const mean = png.grey.reduce((a, b) => a + b, 0) / png.grey.length;
    expect(mean).toBeLessThan(128);
    expect(Math.max(...png.grey)).toBeGreaterThan(128);
  });

  it('upscales with nearest neighbour to the requested size', async () => {
    const small = decodeGreyPng(await (await get('/digit/3.png?seed=7')).arrayBuffer());
    const big = decodeGreyPng(await (await get('/digit/3.png?seed=7&size=112')).arrayBuffer());
    expect([big.width, big.height]).toEqual([112, 112]);
    for (let y = 0; y < 112; y++) {
      for (let x = 0; x < 112; x++) expect(big.grey[y * 112 + x]).toBe(small.grey[Math.floor(y / 4) * 28 + Math.floor(x / 4)]);
    }
  });

  it('is byte-identical for the same parameters, across parameter order and spelling', async () => {
    const a = await bytes('/digit/7.png?seed=123&steps=8&guidance=2');
    const b = await bytes('/digit/7.png?guidance=2.0&steps=8&seed=123');
    expect(a.length).toBeGreaterThan(0);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('differs for other seeds, digits, samplers and step counts', async () => {
    const base = Buffer.from(await bytes('/digit/1.png?seed=1'));
    for (const other of ['/digit/1.png?seed=2', '/digit/2.png?seed=1', `/digit/1.png?seed=1&sampler=${SERVED_DEFAULTS.defaultSampler === 'ddim' ? 'dpmpp' : 'ddim'}`, `/digit/1.png?seed=1&steps=${SERVED_DEFAULTS.defaultSteps - 1}`]) {
      expect(Buffer.from(await bytes(other)).equals(base), other).toBe(false);
    }
  });

  it('draws a random seed when none is given, reports it and does not cache', async () => {
    const res = await get('/digit/4.png');
    expect(res.status).toBe(200);
    const seed = res.headers.get('x-seed');
    expect(seed).toMatch(/^\d+$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = Buffer.from(await res.arrayBuffer());
    // The reported seed reproduces the image.
    expect(Buffer.from(await bytes(`/digit/4.png?seed=${seed}`)).equals(body)).toBe(true);
  });

  it('marks seeded responses immutable with a strong ETag, answers If-None-Match with 304 and serves repeats from the cache', async () => {
    const first = await get('/digit/9.png?seed=99');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    await first.arrayBuffer();
    const revalidate = await get('/digit/9.png?seed=99', { headers: { 'If-None-Match': etag } });
    expect(revalidate.status).toBe(304);
    expect((await revalidate.arrayBuffer()).byteLength).toBe(0);
    const other = await get('/digit/9.png?seed=98', { headers: { 'If-None-Match': etag } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    // Same image through another spelling of the URL: same ETag, and a cache hit.
    const again = await get(`/digit/9.png?steps=${SERVED_DEFAULTS.defaultSteps}&seed=99`);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('x-cache')).toBe('HIT');
    await again.arrayBuffer();
  });

  it('keys the cache by the canonical query and the weights version alone: every host name shares one entry', async () => {
    const path = '/digit/6.png?seed=606';
    const first = await mf.dispatchFetch(`http://a.example${path}`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const drawn = Buffer.from(await first.arrayBuffer());
    for (const origin of ['http://b.example', 'https://digits.example.org:8443', 'http://localhost']) {
      const res = await mf.dispatchFetch(`${origin}/digit/6.png?steps=${SERVED_DEFAULTS.defaultSteps}&seed=606`);
      expect(res.headers.get('x-cache'), origin).toBe('HIT');
      expect(res.headers.get('etag'), origin).toBe(first.headers.get('etag'));
      expect(Buffer.from(await res.arrayBuffer()).equals(drawn), origin).toBe(true);
    }
  });
});

describe('bad input', () => {
  const cases: [string, number, string][] = [
    ['/digit/10.png', 400, 'invalid_digit'],
    ['/digit/-1.png', 400, 'invalid_digit'],
    ['/digit/a.png', 400, 'invalid_digit'],
    ['/digit/5.5.png', 400, 'invalid_digit'],
    ['/digit/5.png?steps=0', 400, 'invalid_parameter'],
    ['/digit/5.png?steps=101', 400, 'invalid_parameter'],
    ['/digit/5.png?steps=2.5', 400, 'invalid_parameter'],
    ['/digit/5.png?steps=', 400, 'invalid_parameter'],
    ['/digit/5.png?seed=-1', 400, 'invalid_parameter'],
    ['/digit/5.png?seed=4294967296', 400, 'invalid_parameter'],
    ['/digit/5.png?seed=1e3', 400, 'invalid_parameter'],
    ['/digit/5.png?guidance=NaN', 400, 'invalid_parameter'],
    ['/digit/5.png?guidance=Infinity', 400, 'invalid_parameter'],
    ['/digit/5.png?guidance=-0.5', 400, 'invalid_parameter'],
    ['/digit/5.png?guidance=11', 400, 'invalid_parameter'],
    ['/digit/5.png?guidance=', 400, 'invalid_parameter'],
    ['/digit/5.png?sampler=euler', 400, 'invalid_parameter'],
    ['/digit/5.png?size=27', 400, 'invalid_parameter'],
    ['/digit/5.png?size=1025', 400, 'invalid_parameter'],
    ['/digit/5.png?seed=1&seed=2', 400, 'repeated_parameter'],
    ['/digit/5.png?colour=red', 400, 'unknown_parameter'],
    ['/digit/5.gif', 404, 'not_found'],
    ['/nothing/here', 404, 'not_found'],
  ];
  it.each(cases)('%s → %i %s', async (path, status, code) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe(code);
    expect(body.detail.length).toBeGreaterThan(10);
  });

  // Numbers in JSON's grammar only: Number() would take each of these as a second spelling of a valid value.
  const misspelt: [string, RegExp][] = [
    ...['0x2', '0b11', '0o2', '+2', '.5', '5.', '%202', '2%20', '%092', '1_0', '02', '2e', '-.5', 'Infinity'].map((v): [string, RegExp] => [`guidance=${v}`, /^guidance must be a finite number from 0 to 10 written as a JSON number such as 0\.5/]),
    ...['0x2', '+2', '2.0', '2e0', '02', '%202', '-0'].map((v): [string, RegExp] => [`steps=${v}`, /^steps must be an integer from 1 to 100 in plain decimal digits/]),
    ['seed=0b11', /^seed must be an integer from 0 to 4294967295 in plain decimal digits/],
    ['size=+56', /^size must be an integer from 28 to 1024 in plain decimal digits/],
  ];
  it.each(misspelt)('?%s → 400 invalid_parameter naming the accepted form', async (query, detail) => {
    const res = await get(`/digit/5.png?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe('invalid_parameter');
    expect(body.detail).toMatch(detail);
  });

  it('takes every JSON spelling of a number as that number', async () => {
    const a = await bytes('/digit/5.png?seed=5&guidance=0.5');
    for (const spelling of ['0.50', '5e-1', '5E-1', '0.5e0', '50e-2']) expect(Buffer.from(await bytes(`/digit/5.png?seed=5&guidance=${spelling}`)).equals(Buffer.from(a)), spelling).toBe(true);
  });

  it('answers other methods with 405 and Allow', async () => {
    for (const path of ['/digit/5.png', '/model', '/healthz']) {
      const res = await get(path, { method: 'POST', body: 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(((await res.json()) as { error: string }).error).toBe('method_not_allowed');
    }
  });
});

describe('GET /model and /healthz', () => {
  it('describes the served weight sets and the step counts each draws', async () => {
    const res = await get('/model');
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, any>;
    expect(m.weightsVersion).toBe(FEW_STEP.version);
    expect(m.sampling).toMatchObject({ defaultSteps: FEW_STEP.sampling.defaultSteps, defaultGuidance: FEW_STEP.sampling.defaultGuidance, maxSteps: 100 });
    expect(m.backend.name).toBe('wasm');
    expect(m.weightSets.map((set: any) => [set.name, set.steps, set.weightsVersion])).toEqual([
      ['few-step', [1, FEW_STEP.sampling.maxSteps], FEW_STEP.version],
      ['general', [FEW_STEP.sampling.maxSteps! + 1, 100], GENERAL.version],
      ['hand', [1, 100], HAND.version],
    ]);
    for (const set of m.weightSets) {
      expect(set.weightsVersion).toMatch(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{12}$/);
      expect(set.parameters).toBeGreaterThan(10_000);
      expect(set.mflopsPerNetworkCall).toBeGreaterThan(1);
      expect(set.quantization.weightBytes).toBe(set.parameters);
      expect(set.sampling).not.toHaveProperty('maxSteps'); // a set's limit is its steps range
      // Distilled students, each naming the teacher it was distilled from: one in this repository.
      expect(set.provenance.script).toBe('scripts/distill.ts');
      expect(set.provenance.distilledFrom.weights).toMatch(/^(weights|checkpoints)\/teacher/);
      const teacher = JSON.parse(fs.readFileSync(`${set.provenance.distilledFrom.weights}/manifest.json`, 'utf8'));
      expect(set.provenance.distilledFrom.version).toBe(teacher.version);
      expect(set.architecture.guidanceFeatures).toBeGreaterThan(0);
    }
  });

  it('reports health and the live tensor count', async () => {
    const h = (await (await get('/healthz')).json()) as { status: string; tensors: number };
    expect(h.status).toBe('ok');
    expect(h.tensors).toBeGreaterThan(0);
  });
});
