/** POST /inpaint and POST /restyle in workerd: kept pixels stay, sizes and polarity survive, same input + seed = same bytes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare, Response } from 'miniflare';
import { decodeGreyPng, startWorker } from './helpers/worker';
import { greyPng, multipart, pngFromRaw, scanlines } from './helpers/png';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

const get = (path: string) => mf.dispatchFetch(`http://localhost${path}`);
const postPng = (path: string, png: Uint8Array) => mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
const postForm = (path: string, parts: Parameters<typeof multipart>[0]) => {
  const form = multipart(parts);
  return mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', headers: { 'Content-Type': form.contentType }, body: form.body });
};
async function ok(res: Response): Promise<Uint8Array> {
  const body = new Uint8Array(await res.arrayBuffer());
  expect(res.status, new TextDecoder().decode(body.subarray(0, 300))).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  return body;
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** A 100×80 picture: a thick ring (a rough 0), dark on light or light on dark. */
function ring(darkInk: boolean): Uint8Array {
  const pixels = new Uint8Array(100 * 80);
  for (let y = 0; y < 80; y++) {
    for (let x = 0; x < 100; x++) {
      const r = Math.hypot((x - 50) / 30, (y - 40) / 30);
      const ink = Math.max(0, 1 - Math.abs(r - 1) * 5);
      pixels[y * 100 + x] = Math.round(darkInk ? 255 - 230 * ink : 20 + 230 * ink);
    }
  }
  return pixels;
}
const RECT = { x: 30, y: 20, w: 40, h: 30 };
const inRect = (i: number) => {
  const x = i % 100;
  const y = Math.floor(i / 100);
  return x >= RECT.x && x < RECT.x + RECT.w && y >= RECT.y && y < RECT.y + RECT.h;
};
const MASK_QUERY = `mask=${RECT.x},${RECT.y},${RECT.w},${RECT.h}`;
const maskPng = () => greyPng(100, 80, Array.from({ length: 8000 }, (_, i) => (inRect(i) ? 255 : 0)));

describe('POST /inpaint', () => {
  it.each([
    ['dark ink on light, grey PNG', () => greyPng(100, 80, ring(true)), ring(true)],
    ['light ink on dark, grey PNG', () => greyPng(100, 80, ring(false)), ring(false)],
    ['dark ink on light, RGB PNG', () => pngFromRaw(100, 80, 8, 2, scanlines(100, 80, 3, 8, [...ring(true)].flatMap((g) => [g, g, g]))), ring(true)],
  ])('keeps every pixel outside the mask byte for byte, at the upload size (%s)', async (_, make, grey) => {
    const png = decodeGreyPng((await ok(await postPng(`/inpaint?digit=8&seed=3&steps=4&${MASK_QUERY}`, make()))).buffer as ArrayBuffer);
    expect([png.width, png.height]).toEqual([100, 80]);
    let changed = 0;
    png.grey.forEach((v, i) => {
      if (inRect(i)) changed += v !== grey[i] ? 1 : 0;
      else expect(v, `pixel ${i}`).toBe(grey[i]);
    });
    expect(changed).toBeGreaterThan(0);
  });

  it('is deterministic: a mask PNG and the same rectangle give the same bytes, as does a repeat; another seed differs', async () => {
    const image = greyPng(100, 80, ring(true));
    const query = '/inpaint?digit=2&seed=11&steps=4';
    const byRect = await ok(await postPng(`${query}&${MASK_QUERY}`, image));
    const byForm = await ok(await postForm(query, [{ name: 'image', filename: 'a.png', type: 'image/png', body: image }, { name: 'mask', filename: 'm.png', type: 'image/png', body: maskPng() }]));
    expect(same(byRect, byForm)).toBe(true);
    expect(same(byRect, await ok(await postPng(`${query}&${MASK_QUERY}`, image)))).toBe(true);
    expect(same(byRect, await ok(await postPng(`/inpaint?digit=2&seed=12&steps=4&${MASK_QUERY}`, image)))).toBe(false);
  });

  it('RePaint resampling keeps the kept pixels, changes the result, and defaults to ddim', async () => {
    const image = greyPng(100, 80, ring(false));
    const plain = await ok(await postPng(`/inpaint?digit=5&seed=4&steps=3&sampler=ddim&${MASK_QUERY}`, image));
    const res = await postPng(`/inpaint?digit=5&seed=4&steps=3&resample=3&${MASK_QUERY}`, image);
    const resampled = await ok(res);
    expect(same(plain, resampled)).toBe(false);
    const grey = ring(false);
    decodeGreyPng(resampled.buffer as ArrayBuffer).grey.forEach((v, i) => {
      if (!inRect(i)) expect(v).toBe(grey[i]);
    });
    expect(same(resampled, await ok(await postPng(`/inpaint?digit=5&seed=4&steps=3&resample=3&sampler=ddim&${MASK_QUERY}`, image)))).toBe(true);
  });

  it('draws a seed when none is given and reports it; the seed reproduces the answer; nothing is cached', async () => {
    const image = greyPng(100, 80, ring(true));
    const res = await postPng(`/inpaint?digit=1&steps=2&${MASK_QUERY}`, image);
    const first = await ok(res);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const seed = res.headers.get('x-seed');
    expect(seed).toMatch(/^\d+$/);
    expect(same(first, await ok(await postPng(`/inpaint?digit=1&steps=2&seed=${seed}&${MASK_QUERY}`, image)))).toBe(true);
  });
});

describe('POST /restyle', () => {
  it('strength 0 returns the picture itself, at its size and polarity', async () => {
    for (const grey of [ring(true), ring(false)]) {
      const out = decodeGreyPng((await ok(await postPng('/restyle?to=3&strength=0&seed=1', greyPng(100, 80, grey)))).buffer as ArrayBuffer);
      expect([out.width, out.height]).toEqual([100, 80]);
      expect(Buffer.from(out.grey).equals(Buffer.from(grey))).toBe(true);
    }
  });

  it('strength 1 ignores the picture: a black 28×28 picture gives exactly GET /digit/:d.png', async () => {
    const restyled = await ok(await postPng('/restyle?to=6&strength=1&seed=21&steps=5&guidance=2&sampler=dpmpp', greyPng(28, 28, new Uint8Array(784))));
    const drawn = await ok(await get('/digit/6.png?seed=21&steps=5&guidance=2&sampler=dpmpp'));
    expect(same(restyled, drawn)).toBe(true);
  });

  it('keeps the upload size, is deterministic, and depends on strength and target', async () => {
    const image = greyPng(100, 80, ring(true));
    const a = await ok(await postPng('/restyle?to=8&strength=0.5&seed=5&steps=4', image));
    const out = decodeGreyPng(a.buffer as ArrayBuffer);
    expect([out.width, out.height]).toEqual([100, 80]);
    // Dark ink on light in, dark ink on light out: the border stays light.
    expect(out.grey[0]).toBeGreaterThan(128);
    expect(same(a, await ok(await postForm('/restyle?to=8&strength=0.5&seed=5&steps=4', [{ name: 'image', filename: 'a.png', body: image }])))).toBe(true);
    expect(same(a, await ok(await postPng('/restyle?to=8&strength=0.8&seed=5&steps=4', image)))).toBe(false);
    expect(same(a, await ok(await postPng('/restyle?to=3&strength=0.5&seed=5&steps=4', image)))).toBe(false);
  });
});
