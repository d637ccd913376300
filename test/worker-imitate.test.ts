/**
 * POST /imitate in workerd: the upload's hand, measured with the project's one
 * style function on the picture as /restyle normalises it, then the digits as
 * GET /number draws them in that hand. Upload refusals shared with /restyle
 * are in test/worker-upload-errors.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { decodePng } from '../src/image/decode';
import { toModelView } from '../src/image/normalise';
import { measureStyle } from '../src/image/style';
import { clampStyle, roundStyle, styleStatsOf } from '../src/model/style-prior';
import { styleHeader } from '../src/params';
import { greyPng, multipart, type Bytes } from './helpers/png';
import { decodeGreyPng, FEW_STEP, startWorker } from './helpers/worker';

let mf: Miniflare;
let three: Bytes;
beforeAll(async () => {
  mf = startWorker();
  three = new Uint8Array(await (await mf.dispatchFetch('http://localhost/digit/3.png?seed=7&size=112')).arrayBuffer());
});
afterAll(() => mf?.dispose());

const STATS = styleStatsOf(FEW_STEP as never)!;

const imitate = (query: string, body: Bytes, type = 'image/png') => mf.dispatchFetch(`http://localhost/imitate?${query}`, { method: 'POST', headers: { 'Content-Type': type }, body });

/** The upload's style as the route must measure it: /restyle's normalisation, then measureStyle, rounded. */
function expectedStyle(upload: Bytes) {
  const view = toModelView(decodePng(upload, 'the upload'), 28);
  return roundStyle(measureStyle(view.image.pixels));
}

/** A 28×28 white-on-black bar `width` px wide leaning `slant` px per px of height (positive: /). */
function slantedBar(slant: number, width: number): Bytes {
  const pixels = new Uint8Array(28 * 28);
  for (let y = 4; y < 24; y++) {
    const centre = 14 + slant * (13.5 - y);
    for (let x = 0; x < 28; x++) if (Math.abs(x - centre) < width / 2) pixels[y * 28 + x] = 255;
  }
  return greyPng(28, 28, pixels);
}

describe('POST /imitate', () => {
  it('measures the upload’s hand and writes the digits in it, as GET /number does', async () => {
    const res = await imitate('digits=2026&seed=5', three);
    expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
    const measured = expectedStyle(three);
    expect(res.headers.get('x-style-measured')).toBe(styleHeader(measured));
    expect(res.headers.get('x-style')).toBe(styleHeader(clampStyle(STATS, measured)));
    expect(res.headers.get('x-seed')).toBe('5');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const image = decodeGreyPng(bytes.buffer as ArrayBuffer);
    expect([image.width, image.height]).toEqual([4 * 28, 28]);
    const style = clampStyle(STATS, measured);
    const number = await mf.dispatchFetch(`http://localhost/number/2026.png?seed=5&slant=${style.slant}&thickness=${style.thickness}`);
    expect(new Uint8Array(await number.arrayBuffer())).toEqual(bytes);
  });

  it('takes a form upload and the layout parameters', async () => {
    const form = multipart([{ name: 'image', filename: 'three.png', type: 'image/png', body: three }]);
    const res = await imitate('digits=12&seed=5&spacing=natural&size=56', form.body, form.contentType);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-style-measured')).toBe(styleHeader(expectedStyle(three)));
    const image = decodeGreyPng(await res.arrayBuffer());
    expect(image.height).toBe(56);
    expect(image.width).toBeLessThan(2 * 56);
  });

  it('reads dark ink on light paper, at any size, as /restyle does', async () => {
    const { width, height, grey } = decodeGreyPng(three.buffer as ArrayBuffer);
    const inverted = greyPng(width, height, grey.map((v) => 255 - v));
    const res = await imitate('digits=7&seed=1', inverted);
    expect(res.status).toBe(200);
    const measured = expectedStyle(inverted);
    expect(res.headers.get('x-style-measured')).toBe(styleHeader(measured));
    // The same hand as the white-on-black original (up to the resize's rounding).
    const original = expectedStyle(three);
    expect(Math.abs(measured.slant - original.slant)).toBeLessThan(0.05);
    expect(Math.abs(measured.thickness - original.thickness)).toBeLessThan(0.2);
    await res.arrayBuffer();
  });

  it('clamps a hand outside the served range into it, and says so', async () => {
    const bar = slantedBar(1.3, 3);
    const res = await imitate('digits=1&seed=1', bar);
    expect(res.status).toBe(200);
    const measured = expectedStyle(bar);
    expect(measured.slant).toBeGreaterThan(STATS.slant.p99);
    expect(res.headers.get('x-style-measured')).toBe(styleHeader(measured));
    expect(res.headers.get('x-style')).toBe(styleHeader({ slant: STATS.slant.p99, thickness: clampStyle(STATS, measured).thickness }));
    await res.arrayBuffer();
  });

  it('refuses a picture with no stroke, and bad digits', async () => {
    for (const [query, body, status, code] of [
      ['digits=12', greyPng(50, 40, new Uint8Array(2000)), 400, 'blank_image'],
      ['digits=12', greyPng(50, 40, new Uint8Array(2000).fill(255)), 400, 'blank_image'],
      ['digits=12', greyPng(28, 28, new Uint8Array(784).fill(100)), 400, 'blank_image'],
      ['', three, 400, 'invalid_parameter'],
      ['digits=12345678901234567', three, 400, 'invalid_parameter'],
      ['digits=1a', three, 400, 'invalid_parameter'],
      ['digits=1&slant=0.1', three, 400, 'unknown_parameter'],
      ['digits=1234567890123456&steps=100', three, 400, 'over_budget'],
    ] as const) {
      const res = await imitate(query, body);
      const answer = (await res.json()) as { error: string; detail: string };
      expect([res.status, answer.error], `${query}: ${answer.detail}`).toEqual([status, code]);
    }
    const get = await mf.dispatchFetch('http://localhost/imitate?digits=1');
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    await get.arrayBuffer();
  });
});
