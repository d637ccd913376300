/**
 * Style parameters (slant, thickness) on GET /digit and /sheet, the ranges
 * GET /model lists, and GET /number (a number in one hand), in workerd.
 * Whether the drawn slant follows the asked one is the trained weights'
 * business: test/worker-style-control.test.ts.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare, Response } from 'miniflare';
import { ApiError } from '../src/errors';
import { requestedStyle } from '../src/params';
import { completeStyle, styleStatsOf } from '../src/model/style-prior';
import { decodeGreyPng, startWorker, type DecodedPng } from './helpers/worker';

const GENERAL = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8'));
const FEW_STEP = JSON.parse(fs.readFileSync('weights/few-step/manifest.json', 'utf8'));
const STATS = styleStatsOf(FEW_STEP)!;

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf?.dispose());

const get = (path: string) => mf.dispatchFetch(`http://localhost${path}`);
async function png(path: string): Promise<{ res: Response; image: DecodedPng; bytes: Uint8Array }> {
  const res = await get(path);
  expect(res.status, `${path}: ${res.status === 200 ? '' : await res.clone().text()}`).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, image: decodeGreyPng(bytes.buffer as ArrayBuffer), bytes };
}
async function refusal(path: string): Promise<{ status: number; error: string; detail: string }> {
  const res = await get(path);
  const body = (await res.json()) as { error: string; detail: string };
  return { status: res.status, ...body };
}
/** The columns [x, x + w) of an image. */
function columns(image: DecodedPng, x: number, w: number): Uint8Array {
  const out = new Uint8Array(w * image.height);
  for (let y = 0; y < image.height; y++) out.set(image.grey.subarray(y * image.width + x, y * image.width + x + w), y * w);
  return out;
}
const inkPixels = (pixels: Uint8Array) => pixels.filter((p) => p >= 64).length;
const parseStyle = (header: string | null) => {
  const m = /^slant=(-?[0-9.]+), thickness=([0-9.]+)$/.exec(header ?? '');
  expect(m, String(header)).not.toBeNull();
  return { slant: Number(m![1]), thickness: Number(m![2]) };
};

describe('slant and thickness on GET /digit and /sheet', () => {
  it('leaves a request without them as it was: no X-Style, no style in its canonical URL', async () => {
    const res = await get('/digit/3.png?steps=4');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-style')).toBeNull();
    const location = new URL(res.headers.get('content-location')!, 'http://x').searchParams;
    expect([...location.keys()].sort()).toEqual(['guidance', 'sampler', 'seed', 'size', 'steps']);
    await res.arrayBuffer();
  });

  it('completes a lone descriptor with its conditional median, and keys the cache by both', async () => {
    const expected = completeStyle(STATS, { slant: 0.3 });
    const alone = await png('/digit/3.png?seed=7&slant=0.3');
    expect(parseStyle(alone.res.headers.get('x-style'))).toEqual(expected);
    const both = await png(`/digit/3.png?seed=7&slant=0.3&thickness=${expected.thickness}`);
    expect(both.bytes).toEqual(alone.bytes);
    expect(both.res.headers.get('etag')).toBe(alone.res.headers.get('etag'));
    // Same query, same bytes, whichever spelling of the number.
    expect((await png('/digit/3.png?seed=7&slant=3e-1')).bytes).toEqual(alone.bytes);
    const unseeded = await get('/digit/3.png?thickness=3');
    expect(new URL(unseeded.headers.get('content-location')!, 'http://x').searchParams.get('thickness')).toBe('3');
    await unseeded.arrayBuffer();
  });

  it('refuses values outside the training digits’ 1st-99th percentiles, naming the range', async () => {
    for (const [param, value, [lo, hi]] of [
      ['slant', STATS.slant.p99 + 0.001, [STATS.slant.p1, STATS.slant.p99]],
      ['slant', STATS.slant.p1 - 0.001, [STATS.slant.p1, STATS.slant.p99]],
      ['thickness', 0, [STATS.thickness.p1, STATS.thickness.p99]],
    ] as const) {
      for (const path of [`/digit/3.png?${param}=${value}`, `/sheet.png?digits=1&seeds=1&${param}=${value}`, `/digit/3.apng?steps=3&${param}=${value}`, `/number/12.png?${param}=${value}`]) {
        const r = await refusal(path);
        expect([r.status, r.error], path).toEqual([400, 'invalid_parameter']);
        expect(r.detail).toContain(`${param} must be from ${lo} to ${hi}`);
      }
    }
    // The range's ends themselves are allowed.
    await png(`/digit/3.png?seed=1&slant=${STATS.slant.p1}&thickness=${STATS.thickness.p99}`);
  });

  it('refuses what is not a JSON number', async () => {
    for (const bad of ['abc', '+0.1', '.5', '0x1', 'NaN', 'Infinity', '']) {
      const r = await refusal(`/digit/3.png?slant=${encodeURIComponent(bad)}`);
      expect([r.status, r.error], bad).toEqual([400, 'invalid_parameter']);
    }
  });

  it('draws every cell of a styled sheet as GET /digit draws it with that style', async () => {
    const sheet = await png('/sheet.png?digits=38&seeds=2&seed=5&slant=-0.2&thickness=2&steps=3');
    expect(sheet.res.headers.get('x-style')).toBe('slant=-0.2, thickness=2');
    const cell = await png('/digit/8.png?seed=6&slant=-0.2&thickness=2&steps=3');
    const cellPixels = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++) cellPixels.set(sheet.image.grey.subarray((28 + y) * 56 + 28, (28 + y) * 56 + 56), y * 28);
    expect(cellPixels).toEqual(cell.image.grey);
  });

  it('refuses a style for a weight set without style inputs (style_unavailable), naming the sets that have them', () => {
    const plain = { ...GENERAL, name: 'plain', architecture: { ...GENERAL.architecture, styleFeatures: 0 } };
    expect(requestedStyle({}, plain)).toBeNull();
    let thrown: unknown;
    try {
      requestedStyle({ slant: 0.1 }, plain);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).code).toBe('style_unavailable');
    expect((thrown as ApiError).detail).toMatch(/\(plain\) has no style inputs.*few-step at 1-2 steps, general at 3-100 steps/);
  });
});

describe('GET /model', () => {
  it('lists each set’s style ranges, percentiles, meaning and unit', async () => {
    const model = (await (await get('/model')).json()) as { weightSets: { name: string; style: any }[] };
    for (const set of model.weightSets) {
      const stats = styleStatsOf(set.name === 'general' ? GENERAL : FEW_STEP)!;
      expect(set.style.correlation).toBe(stats.correlation);
      for (const d of ['slant', 'thickness'] as const) {
        expect(set.style.descriptors[d]).toMatchObject({ range: [stats[d].p1, stats[d].p99], percentiles: { p1: stats[d].p1, p50: stats[d].p50, p99: stats[d].p99 } });
        expect(set.style.descriptors[d].meaning.length).toBeGreaterThan(20);
        expect(set.style.descriptors[d].unit).toMatch(/pixel/);
      }
    }
  });
});

describe('GET /number/:digits.png', () => {
  it('writes one cell per digit, size px each, in a style drawn from the seed and reported', async () => {
    const { res, image } = await png('/number/2026.png?seed=7');
    expect([image.width, image.height]).toEqual([4 * 28, 28]);
    expect(res.headers.get('x-seed')).toBe('7');
    const style = parseStyle(res.headers.get('x-style'));
    expect(style.slant).toBeGreaterThanOrEqual(STATS.slant.p1);
    expect(style.slant).toBeLessThanOrEqual(STATS.slant.p99);
    expect(style.thickness).toBeGreaterThanOrEqual(STATS.thickness.p1);
    expect(style.thickness).toBeLessThanOrEqual(STATS.thickness.p99);
    // The drawn style given back draws the same number.
    const given = await png(`/number/2026.png?seed=7&slant=${style.slant}&thickness=${style.thickness}`);
    expect(given.image.grey).toEqual(image.grey);
    const big = await png('/number/2026.png?seed=7&size=56');
    expect([big.image.width, big.image.height]).toEqual([4 * 56, 56]);
    // Other seeds, other hands.
    const hands = new Set<string>();
    for (const seed of [1, 2, 3]) hands.add((await get(`/number/1.png?seed=${seed}`)).headers.get('x-style')!);
    expect(hands.size).toBe(3);
  });

  it('gives each digit its own noise, fixed by seed and position', async () => {
    const { image } = await png('/number/1111.png?seed=11');
    const cells = [0, 1, 2, 3].map((i) => columns(image, 28 * i, 28));
    for (let i = 0; i < 4; i++) {
      expect(inkPixels(cells[i]), `cell ${i} has ink`).toBeGreaterThan(20);
      for (let j = i + 1; j < 4; j++) expect(cells[i], `cells ${i} and ${j}`).not.toEqual(cells[j]);
    }
    // A digit's noise depends on its position, not on how many digits follow.
    const shorter = await png('/number/11.png?seed=11');
    expect(columns(shorter.image, 0, 56)).toEqual(columns(image, 0, 56));
  });

  it('is deterministic: the same query draws the same bytes', async () => {
    const a = await png('/number/90210.png?seed=3&spacing=natural&steps=3');
    const b = await png('/number/90210.png?seed=3&spacing=natural&steps=3');
    expect(b.bytes).toEqual(a.bytes);
    expect(b.res.headers.get('x-cache')).toBe('HIT');
    expect(b.res.headers.get('x-style')).toBe(a.res.headers.get('x-style'));
  });

  it('packs the digits by their ink with spacing=natural: narrower than cells, the same ink', async () => {
    for (const digits of ['2026', '1111', '7410']) {
      const cells = await png(`/number/${digits}.png?seed=21`);
      const natural = await png(`/number/${digits}.png?seed=21&spacing=natural`);
      expect(natural.image.height).toBe(28);
      expect(natural.image.width, digits).toBeLessThan(cells.image.width);
      expect(inkPixels(natural.image.grey), digits).toBe(inkPixels(cells.image.grey));
      const scaled = await png(`/number/${digits}.png?seed=21&spacing=natural&size=56`);
      expect([scaled.image.width, scaled.image.height]).toEqual([natural.image.width * 2, 56]);
    }
  });

  it('draws 16 digits at the default steps, and refuses 16 at 100 steps before drawing', async () => {
    const { image } = await png('/number/1234567890123456.png?seed=1');
    expect(image.width).toBe(16 * 28);
    const r = await refusal('/number/1234567890123456.png?steps=100');
    expect([r.status, r.error]).toEqual([400, 'over_budget']);
    expect(r.detail).toMatch(/^a number of 16 digits × 100 steps .* is an estimated \d+ ms of CPU, and one request may use 1000 ms/);
  });

  it('refuses bad numbers and parameters in the one error shape', async () => {
    const cases: [string, number, string][] = [
      ['/number/12345678901234567.png', 400, 'invalid_digit'],
      ['/number/12a.png', 400, 'invalid_digit'],
      ['/number/.png', 400, 'invalid_digit'],
      ['/number/12.gif', 404, 'not_found'],
      ['/number/12.png?spacing=wide', 400, 'invalid_parameter'],
      ['/number/12.png?size=129', 400, 'invalid_parameter'],
      ['/number/12.png?digits=3', 400, 'unknown_parameter'],
      ['/number/12.png?seed=1&seed=2', 400, 'repeated_parameter'],
    ];
    for (const [path, status, code] of cases) {
      const r = await refusal(path);
      expect([r.status, r.error], `${path}: ${r.detail}`).toEqual([status, code]);
    }
    const post = await mf.dispatchFetch('http://localhost/number/12.png', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await post.arrayBuffer();
  });
});
