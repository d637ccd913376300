/** GET /digit/:d.apng and GET /sheet.png in workerd: frames and cells that match the PNG route, caching, and the cost bound. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare, Response } from 'miniflare';
import UPNG from 'upng-js';
import { decodeGreyPng, GENERAL, startWorker } from './helpers/worker';
import { startWorkerWithLogs } from './helpers/worker-logs';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

const get = (path: string, init?: RequestInit) => mf.dispatchFetch(`http://localhost${path}`, init as never);
async function ok(res: Response, type = 'image/png'): Promise<ArrayBuffer> {
  const body = await res.arrayBuffer();
  expect(res.status, new TextDecoder().decode(body.slice(0, 300))).toBe(200);
  expect(res.headers.get('content-type')).toBe(type);
  return body;
}
/** Every frame of an (A)PNG as grey levels. */
function frames(bytes: ArrayBuffer): { width: number; height: number; frames: Uint8Array[] } {
  const img = UPNG.decode(bytes);
  const grey = UPNG.toRGBA8(img).map((rgba) => new Uint8Array(rgba).filter((_, i) => i % 4 === 0));
  return { width: img.width, height: img.height, frames: grey };
}

describe('GET /digit/:d.apng', () => {
  it('has one frame per step, at the requested size, ending on the PNG route’s picture', async () => {
    const apng = frames(await ok(await get('/digit/7.apng?seed=5&steps=6&size=56'), 'image/apng'));
    expect([apng.width, apng.height, apng.frames.length]).toEqual([56, 56, 6]);
    const png = decodeGreyPng(await ok(await get('/digit/7.png?seed=5&steps=6&size=56')));
    expect(Buffer.from(apng.frames[5]).equals(Buffer.from(png.grey))).toBe(true);
    // The picture forms: early and late frames differ.
    expect(Buffer.from(apng.frames[0]).equals(Buffer.from(apng.frames[5]))).toBe(false);
  });

  it('is deterministic and cached like the PNG route, with its own ETag', async () => {
    const first = await get('/digit/2.apng?seed=9&steps=4');
    const bytes = Buffer.from(await ok(first, 'image/apng'));
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const pngEtag = (await get('/digit/2.png?seed=9&steps=4')).headers.get('etag');
    expect(etag).not.toBe(pngEtag);
    expect((await get('/digit/2.apng?seed=9&steps=4', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const again = await get(`/digit/2.apng?steps=4&seed=9&guidance=${GENERAL.sampling.defaultGuidance.toFixed(3)}`);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    const unseeded = await get('/digit/2.apng?steps=2');
    expect(unseeded.headers.get('cache-control')).toBe('no-store');
    expect(unseeded.headers.get('content-location')).toMatch(/^\/digit\/2\.apng\?.*seed=\d+/);
    await unseeded.arrayBuffer();
  });
});

it('leaves no tensors behind: frames, sheets and refusals', async () => {
  const tensors = async () => ((await (await get('/healthz')).json()) as { tensors: number }).tensors;
  await (await get('/digit/0.apng?seed=0&steps=2')).arrayBuffer();
  const before = await tensors();
  for (let i = 1; i <= 10; i++) {
    for (const path of [`/digit/${i % 10}.apng?seed=${i}&steps=3`, `/sheet.png?digits=12&seeds=2&seed=${i}&steps=2`, `/digit/1.apng?size=1024&steps=${i + 10}`]) await (await get(path)).arrayBuffer();
  }
  expect(await tensors()).toBe(before);
});

describe('GET /sheet.png', () => {
  it('lays out one row per digit and one column per seed; each cell is that digit and seed', async () => {
    const sheet = decodeGreyPng(await ok(await get('/sheet.png?digits=307&seeds=3&seed=40&steps=3&size=56')));
    expect([sheet.width, sheet.height]).toEqual([3 * 56, 3 * 56]);
    const cell = (row: number, col: number) => {
      const out = new Uint8Array(56 * 56);
      for (let y = 0; y < 56; y++) out.set(sheet.grey.subarray((row * 56 + y) * sheet.width + col * 56, (row * 56 + y) * sheet.width + col * 56 + 56), y * 56);
      return out;
    };
    for (const [row, digit] of [3, 0, 7].entries()) {
      for (const col of [0, 2]) {
        const alone = decodeGreyPng(await ok(await get(`/digit/${digit}.png?seed=${40 + col}&steps=3&size=56`)));
        expect(Buffer.from(cell(row, col)).equals(Buffer.from(alone.grey)), `row ${row} col ${col}`).toBe(true);
      }
    }
  });

  it('defaults to ten digits by eight seeds, and is cached when seeded', async () => {
    const res = await get('/sheet.png?seed=1&steps=2&guidance=1');
    const sheet = decodeGreyPng(await ok(res));
    expect([sheet.width, sheet.height]).toEqual([8 * 28, 10 * 28]);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await get('/sheet.png?steps=2&guidance=1&seed=1&digits=0123456789&seeds=8')).headers.get('x-cache')).toBe('HIT');
  });

  it('logs the model phase of a drawn sheet, and refuses an over-budget sheet or animation before any model work', async () => {
    // The request log names every phase a request ran: a drawn sheet shows its model and encode phases,
    // so a refusal whose line has none ran neither (nor a cache lookup).
    const logged = startWorkerWithLogs();
    try {
      const drawn = await logged.request('/sheet.png?digits=1&seeds=1&steps=1&seed=1');
      expect(drawn.res.status).toBe(200);
      expect(drawn.log.phases.model).toBeGreaterThanOrEqual(0);
      expect(drawn.log.phases.encode).toBeGreaterThanOrEqual(0);
      // 160 digits × 100 steps on the general set: about 11.3 s of model time (test/sheet-budget.test.ts).
      for (const path of ['/sheet.png?digits=0123456789&seeds=16&steps=100&seed=1', '/digit/5.apng?size=1024&steps=10&seed=1']) {
        const refused = await logged.request(path);
        expect([refused.res.status, JSON.parse(new TextDecoder().decode(refused.body)).error], path).toEqual([400, 'over_budget']);
        expect(refused.log.phases, path).toEqual({});
      }
    } finally {
      await logged.mf.dispose();
    }
  });
});
