/**
 * Fuzzing the upload routes in workerd: 1200 random and mutated bodies (random
 * bytes, bit flips, truncations, chunks rewritten with valid CRCs, hostile
 * headers, broken forms, odd parameters). Every answer must be a 200 PNG or a
 * 4xx in the API's error shape, and the live tensor count must not grow.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { encodePng } from '../src/image/png';
import { Rng } from '../src/model/rng';
import { decodeGreyPng, startWorker } from './helpers/worker';
import { chunk, chunksOf, concat, greyPng, IEND, ihdr, multipart, pngFromRaw, scanlines, SIGNATURE, type Bytes } from './helpers/png';

const REQUESTS = 1200;
const rng = new Rng(20261125);
const int = (n: number) => rng.int(n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));

const SEEDS: Bytes[] = [
  greyPng(28, 28, randomBytes(784)),
  greyPng(50, 40, Array.from({ length: 2000 }, (_, i) => i % 256)),
  pngFromRaw(20, 20, 8, 2, scanlines(20, 20, 3, 8, [...randomBytes(1200)])),
  pngFromRaw(10, 10, 16, 6, scanlines(10, 10, 4, 16, Array.from({ length: 400 }, () => int(65536)))),
  pngFromRaw(12, 9, 4, 3, scanlines(12, 9, 1, 4, Array.from({ length: 108 }, () => int(16))), {
    before: [chunk('PLTE', randomBytes(48)), chunk('tRNS', randomBytes(16))],
  }),
  pngFromRaw(13, 7, 2, 0, scanlines(13, 7, 1, 2, Array.from({ length: 91 }, () => int(4)))),
  encodePng({ width: 28, height: 28, pixels: randomBytes(784) }) as Bytes,
];

const INTERESTING = [0, 1, 2, 7, 8, 28, 1023, 1024, 1025, 65535, 0x7fffffff, 0xffffffff];

/** One hostile or odd PNG-ish body. */
function mutate(): Bytes {
  const seed = pick(SEEDS);
  const chunks = chunksOf(seed);
  const at = pick(chunks);
  switch (int(10)) {
    case 0:
      return randomBytes(int(600));
    case 1:
      return concat([SIGNATURE, randomBytes(int(300))]);
    case 2: {
      const out = seed.slice();
      for (let i = 1 + int(8); i > 0; i--) out[int(out.length)] = int(256);
      return out;
    }
    case 3:
      return seed.subarray(0, int(seed.length));
    case 4: // a chunk's content replaced, its CRC made valid again
      return concat([seed.subarray(0, at.start), chunk(at.type, randomBytes(int(2) ? at.end - at.start - 12 : int(100))), seed.subarray(at.end)]);
    case 5: // a plausible but wrong header
      return concat([SIGNATURE, ihdr(pick(INTERESTING), pick(INTERESTING), pick([0, 1, 2, 3, 4, 8, 16, 32]), int(8), int(3)), seed.subarray(chunks[0].end)]);
    case 6: // well-formed zlib data of the wrong size or with garbage filter bytes
      return concat([seed.subarray(0, chunks[1].start), chunk('IDAT', zlib.deflateSync(randomBytes(int(3000)))), IEND]);
    case 7: // a foreign chunk in the middle
      return concat([seed.subarray(0, at.end), chunk(String.fromCharCode(...Array.from({ length: 4 }, () => 65 + int(26) + 32 * int(2))), randomBytes(int(64))), seed.subarray(at.end)]);
    case 8: // a chunk removed or doubled
      return int(2) ? concat([seed.subarray(0, at.start), seed.subarray(at.end)]) : concat([seed.subarray(0, at.end), seed.subarray(at.start)]);
    default:
      return int(2) ? seed : concat([seed, randomBytes(int(50))]);
  }
}

function query(route: 'inpaint' | 'restyle'): string {
  // Valid values misspelt (0x2, +1, .5, ' 1', …) are refused like out-of-range ones: numbers are read in JSON's grammar.
  const odd = () => pick(['', '-1', 'NaN', '1e3', '0', '101', 'x', '0.5', '1', '3', '0x2', '0b1', '+1', '.5', '5.', ' 1', '1 ', '01']);
  const q = new URLSearchParams({ steps: String(1 + int(2)), seed: String(int(1000)) });
  if (route === 'inpaint') {
    q.set('digit', String(int(10)));
    if (int(2)) q.set('mask', `${int(30)},${int(30)},${int(30)},${int(30)}`);
    if (!int(8)) q.set('resample', String(int(4)));
  } else {
    q.set('to', String(int(10)));
    q.set('strength', String(int(11) / 10));
  }
  if (!int(6)) q.set(pick(['steps', 'guidance', 'sampler', 'seed', 'digit', 'to', 'strength', 'mask', 'bogus']), odd());
  return `/${route}?${q}`;
}

function request(): { path: string; init: RequestInit } {
  const route = pick(['inpaint', 'restyle'] as const);
  const path = query(route);
  const image = mutate();
  switch (int(4)) {
    case 0:
    case 1:
      return { path, init: { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: image } };
    case 2: {
      const parts: Parameters<typeof multipart>[0] = [{ name: 'image', filename: 'a.png', type: 'image/png', body: image }];
      if (int(2)) parts.push({ name: pick(['mask', 'mask', 'image', 'other']), filename: 'm.png', body: int(2) ? mutate() : greyPng(28, 28, randomBytes(784)) });
      const form = multipart(parts.sort(() => int(3) - 1));
      const type = int(6) ? form.contentType : 'multipart/form-data';
      return { path, init: { method: 'POST', headers: { 'Content-Type': type }, body: int(8) ? form.body : form.body.subarray(0, int(form.body.length)) } };
    }
    default: {
      const type = pick(['text/plain', 'application/octet-stream', 'image/PNG', 'image/png; charset=utf-8', '', 'multipart/mixed']);
      return { path, init: { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: image } };
    }
  }
}

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

const tensors = async () => ((await (await mf.dispatchFetch('http://localhost/healthz')).json()) as { tensors: number }).tensors;

it(`answers ${REQUESTS} random and mutated uploads with a PNG or a 4xx, never a 5xx, and leaks no tensors`, { timeout: 600_000 }, async () => {
  // Warm up both routes so the weights are loaded before counting.
  for (const path of ['/inpaint?digit=1&steps=1&seed=1&mask=0,0,9,9', '/restyle?to=1&strength=0.5&steps=1&seed=1']) {
    expect((await mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: SEEDS[0] })).status).toBe(200);
  }
  const before = await tensors();
  const seen = new Map<string, number>();
  for (let done = 0; done < REQUESTS; ) {
    const batch = Array.from({ length: Math.min(8, REQUESTS - done) }, request);
    done += batch.length;
    await Promise.all(
      batch.map(async ({ path, init }) => {
        const res = await mf.dispatchFetch(`http://localhost${path}`, init as never);
        const body = await res.arrayBuffer();
        const what = `${path} → ${res.status} ${new TextDecoder().decode(body.slice(0, 200))}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status === 200) {
          expect(res.headers.get('content-type'), what).toBe('image/png');
          expect(() => decodeGreyPng(body), what).not.toThrow();
          seen.set('200', (seen.get('200') ?? 0) + 1);
        } else {
          expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
          const err = JSON.parse(new TextDecoder().decode(body)) as { error: string; detail: string };
          expect(typeof err.error === 'string' && err.detail.length > 10, what).toBe(true);
          const key = `${res.status} ${err.error}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }),
    );
  }
  expect(await tensors()).toBe(before);
  console.log('fuzz outcomes:', Object.fromEntries([...seen].sort((a, b) => b[1] - a[1])));
  // The corpus must reach the model too, not only the parsers.
  expect(seen.get('200') ?? 0).toBeGreaterThan(50);
});
