/** src/image in Node: decoding every kind of PNG to grey, refusing bad ones early, resizing, polarity and masks. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors';
import { decodePng } from '../src/image/decode';
import { composite, maskFromImage, maskFromRect, maskToModel } from '../src/image/mask';
import { fromModelView, inkIsDark, toModelView } from '../src/image/normalise';
import { resize } from '../src/image/resize';
import { encodePng } from '../src/image/png';
import { chunk, chunksOf, concat, greyPng, IEND, ihdr, pngFromRaw, replaceChunk, scanlines, SIGNATURE } from './helpers/png';

const W = 5;
const H = 3;
const GREYS = [0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 187, 204, 221, 255];

function rejects(bytes: Uint8Array, status: number, code: string): ApiError {
  let err: unknown = null;
  try {
    decodePng(bytes, 'the image');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApiError);
  expect([(err as ApiError).status, (err as ApiError).code], (err as ApiError).detail).toEqual([status, code]);
  return err as ApiError;
}

describe('decodePng: every colour type and depth to the same grey', () => {
  const rgb = GREYS.flatMap((g) => [g, g, g]);
  const cases: [string, () => Uint8Array][] = [
    ['grey 8', () => greyPng(W, H, GREYS)],
    ['grey 16', () => pngFromRaw(W, H, 16, 0, scanlines(W, H, 1, 16, GREYS.map((g) => g * 257)))],
    ['grey+alpha 8 (opaque)', () => pngFromRaw(W, H, 8, 4, scanlines(W, H, 2, 8, GREYS.flatMap((g) => [g, 255])))],
    ['RGB 8', () => pngFromRaw(W, H, 8, 2, scanlines(W, H, 3, 8, rgb))],
    ['RGB 16', () => pngFromRaw(W, H, 16, 2, scanlines(W, H, 3, 16, rgb.map((v) => v * 257)))],
    ['RGBA 8 (opaque)', () => pngFromRaw(W, H, 8, 6, scanlines(W, H, 4, 8, GREYS.flatMap((g) => [g, g, g, 255])))],
    ['palette 8', () => pngFromRaw(W, H, 8, 3, scanlines(W, H, 1, 8, GREYS.map((_, i) => 14 - i)), { before: [chunk('PLTE', Uint8Array.from([...GREYS].reverse().flatMap((g) => [g, g, g])))] })],
    ["the Worker's own encoder", () => encodePng({ width: W, height: H, pixels: Uint8Array.from(GREYS) })],
    ['palette 4', () => pngFromRaw(W, H, 4, 3, scanlines(W, H, 1, 4, GREYS.map((_, i) => i)), { before: [chunk('PLTE', Uint8Array.from(GREYS.flatMap((g) => [g, g, g])))] })],
  ];
  it.each(cases)('%s', async (_, make) => {
    const img = await decodePng(make(), 'the image');
    expect([img.width, img.height]).toEqual([W, H]);
    expect([...img.pixels]).toEqual(GREYS);
  });

  it('grey 1-bit and interlaced (Adam7) images', async () => {
    const bits = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1];
    expect([...(await decodePng(pngFromRaw(W, H, 1, 0, scanlines(W, H, 1, 1, bits)), 'x')).pixels]).toEqual(bits.map((b) => b * 255));
    const quads = GREYS.map((_, i) => i % 4);
    expect([...(await decodePng(pngFromRaw(W, H, 2, 0, scanlines(W, H, 1, 2, quads)), 'x')).pixels]).toEqual(quads.map((q) => q * 85));
    // An interlaced 9×9 image of one grey: seven sub-images, every scanline filter 0 then the value.
    const passes = [[2, 2], [2, 1], [1, 3], [3, 2], [2, 5], [5, 4], [4, 9]]; // [rows, columns] of each pass
    const raw = new Uint8Array(passes.reduce((n, [rows, cols]) => n + rows * (1 + cols), 0)).fill(77);
    let at = 0;
    for (const [rows, cols] of passes) for (let r = 0; r < rows; r++, at += 1 + cols) raw[at] = 0;
    const img = await decodePng(pngFromRaw(9, 9, 8, 0, raw, { interlace: 1 }), 'x');
    expect(img.pixels.every((v) => v === 77)).toBe(true);
  });

  it('paints transparent areas the colour opposite the drawing', async () => {
    // Black ink on transparent reads as black on white; white ink on transparent as white on black.
    const ink = (v: number) => pngFromRaw(2, 1, 8, 6, scanlines(2, 1, 4, 8, [v, v, v, 255, 0, 0, 0, 0]));
    expect([...(await decodePng(ink(0), 'x')).pixels]).toEqual([0, 255]);
    expect([...(await decodePng(ink(255), 'x')).pixels]).toEqual([255, 0]);
    // A mask asks for black paper: transparent means keep, whatever is drawn.
    expect([...(await decodePng(ink(0), 'x', { paper: 0 })).pixels]).toEqual([0, 0]);
    expect([...(await decodePng(ink(255), 'x', { paper: 0 })).pixels]).toEqual([255, 0]);
  });

  it('ignores ancillary chunks, even a text chunk with no terminator', async () => {
    const png = greyPng(W, H, GREYS);
    const [head, ...rest] = chunksOf(png);
    const withText = concat([png.subarray(0, head.end), chunk('tEXt', new TextEncoder().encode('no-zero-byte-here')), chunk('zzZz', new Uint8Array(3)), png.subarray(rest[0].start)]);
    expect([...(await decodePng(withText, 'x')).pixels]).toEqual(GREYS);
  });
});

describe('decodePng: refusals', () => {
  const good = greyPng(W, H, GREYS);
  const [ihdrAt, idatAt] = chunksOf(good);

  it('not a PNG, or empty', async () => {
    await rejects(new TextEncoder().encode('GIF89a...'), 400, 'not_png');
    await rejects(new Uint8Array(0), 400, 'not_png');
  });

  it('truncated anywhere', async () => {
    for (const cut of [8, 12, 20, ihdrAt.end, idatAt.start + 10, idatAt.end - 1, good.length - 1]) await rejects(good.subarray(0, cut), 400, 'invalid_image');
  });

  it('a flipped bit fails the CRC', async () => {
    const bad = good.slice();
    bad[idatAt.start + 9] ^= 1;
    expect((await rejects(bad, 400, 'invalid_image')).detail).toMatch(/CRC/);
  });

  it('a decompression bomb is refused from its header, before inflating', async () => {
    // 100000×100000 declared, a few bytes of data: never inflated, never allocated.
    const bomb = concat([SIGNATURE, ihdr(100_000, 100_000, 8, 0), chunk('IDAT', zlib.deflateSync(new Uint8Array(1000))), IEND]);
    expect((await rejects(bomb, 413, 'image_too_large')).detail).toMatch(/100000×100000/);
    await rejects(concat([SIGNATURE, ihdr(1025, 1, 8, 0), IEND]), 413, 'image_too_large');
  });

  it('image data that inflates past what the header declares', async () => {
    // A valid 16×16 header over 10 MB of zeros (10 kB compressed): stopped at 272 bytes.
    const started = performance.now();
    const bomb = pngFromRaw(16, 16, 8, 0, new Uint8Array(10_000_000));
    expect(bomb.length).toBeLessThan(20_000);
    expect((await rejects(bomb, 400, 'invalid_image')).detail).toMatch(/more than the 272 bytes/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('short or corrupt image data, and malformed headers', async () => {
    await rejects(replaceChunk(good, idatAt, zlib.deflateSync(new Uint8Array(10))), 400, 'invalid_image');
    await rejects(replaceChunk(good, idatAt, Uint8Array.of(1, 2, 3, 4, 5)), 400, 'invalid_image');
    await rejects(concat([SIGNATURE, ihdr(W, H, 8, 0), IEND]), 400, 'invalid_image'); // no IDAT
    await rejects(pngFromRaw(W, H, 3, 0, new Uint8Array(9)), 400, 'invalid_image'); // bit depth 3
    await rejects(pngFromRaw(W, H, 8, 5, new Uint8Array(9)), 400, 'invalid_image'); // colour type 5
    await rejects(pngFromRaw(0, H, 8, 0, new Uint8Array(9)), 400, 'invalid_image'); // no pixels
    await rejects(pngFromRaw(W, H, 8, 3, scanlines(W, H, 1, 8, GREYS)), 400, 'invalid_image'); // palette image, no PLTE
    await rejects(concat([SIGNATURE, chunk('IDAT', new Uint8Array(4)), IEND]), 400, 'invalid_image'); // IHDR not first
    await rejects(concat([SIGNATURE, ihdr(W, H, 8, 0), chunk('ABCD', new Uint8Array(1)), good.subarray(idatAt.start)]), 400, 'invalid_image'); // unknown critical chunk
  });
});

describe('resize', () => {
  const img = { width: 4, height: 2, pixels: Uint8Array.of(0, 50, 100, 150, 200, 250, 10, 20) };
  it('is the identity at the same size', () => {
    expect(resize(img, 4, 2)).toEqual(img);
  });
  it('averages when shrinking and interpolates when enlarging', () => {
    const flat = { width: 100, height: 60, pixels: new Uint8Array(6000).fill(90) };
    expect(resize(flat, 28, 28).pixels.every((v) => v === 90)).toBe(true);
    const stripes = { width: 64, height: 64, pixels: new Uint8Array(64 * 64).map((_, i) => (i % 2 ? 255 : 0)) };
    // One-pixel stripes are a flat grey once averaged, not an aliased pattern.
    for (const v of resize(stripes, 28, 28).pixels) expect(Math.abs(v - 128)).toBeLessThanOrEqual(40);
    const up = resize({ width: 2, height: 1, pixels: Uint8Array.of(0, 200) }, 4, 1);
    expect([...up.pixels]).toEqual([0, 50, 150, 200]);
  });
});

describe('polarity and masks', () => {
  const whiteOnBlack = { width: 6, height: 6, pixels: new Uint8Array(36).map((_, i) => (i === 14 || i === 15 ? 255 : 0)) };
  const blackOnWhite = { ...whiteOnBlack, pixels: whiteOnBlack.pixels.map((v) => 255 - v) };

  it('detects dark ink on light paper and normalises it to white on black', () => {
    expect(inkIsDark(whiteOnBlack)).toBe(false);
    expect(inkIsDark(blackOnWhite)).toBe(true);
    const a = toModelView(whiteOnBlack, 6);
    const b = toModelView(blackOnWhite, 6);
    expect([a.inverted, b.inverted]).toEqual([false, true]);
    expect(b.image.pixels).toEqual(a.image.pixels);
    expect(fromModelView(b.image, 6, 6, true).pixels).toEqual(blackOnWhite.pixels);
  });

  it('masks from a rectangle or an image, on the model grid, and composites byte for byte', () => {
    const image = { width: 10, height: 4, pixels: new Uint8Array(40).fill(7) };
    const rect = maskFromRect({ x: 2, y: 1, width: 3, height: 2 }, image);
    expect(rect.reduce((a, b) => a + b, 0)).toBe(6);
    expect(rect[1 * 10 + 2]).toBe(1);
    expect(() => maskFromRect({ x: 8, y: 0, width: 3, height: 1 }, image)).toThrow(ApiError);
    const fromPng = maskFromImage({ width: 10, height: 4, pixels: rect.map((v) => v * 255) }, image);
    expect(fromPng).toEqual(rect);
    expect(() => maskFromImage({ width: 9, height: 4, pixels: new Uint8Array(36) }, image)).toThrow(/must match/);
    // Any masked pixel marks its model cell: a 10×4 picture on a 5×5 grid (rows 1-2 → cells 1-2, columns 2-4 → 1-2).
    const cells = [...maskToModel(rect, 10, 4, 5)];
    expect(cells.flatMap((v, i) => (v ? [i] : []))).toEqual([6, 7, 11, 12]);
    const out = composite(image, { ...image, pixels: new Uint8Array(40).fill(200) }, rect);
    expect(out.pixels.filter((v) => v === 200).length).toBe(6);
    expect(out.pixels.filter((v) => v === 7).length).toBe(34);
  });
});
