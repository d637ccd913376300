/** src/image in Node: decoding every kind of PNG to grey, refusing bad ones early, resizing, polarity and masks. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors';
import { decodePng, INFLATE_SLICE } from '../src/image/decode';
import { composite, maskFromImage, maskFromRect, maskToModel } from '../src/image/mask';
import { fromModelView, inkIsDark, toModelView } from '../src/image/normalise';
import { resize } from '../src/image/resize';
import { encodePng } from '../src/image/png';
import { BOMB_DECLARED_BYTES, pngBomb, zerosZlib } from './helpers/bomb';
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
  it.each(cases)('%s', (_, make) => {
    const img = decodePng(make(), 'the image');
    expect([img.width, img.height]).toEqual([W, H]);
    expect([...img.pixels]).toEqual(GREYS);
  });

  it('grey 1-bit and interlaced (Adam7) images', () => {
    const bits = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1];
    expect([...(decodePng(pngFromRaw(W, H, 1, 0, scanlines(W, H, 1, 1, bits)), 'x')).pixels]).toEqual(bits.map((b) => b * 255));
    const quads = GREYS.map((_, i) => i % 4);
    expect([...(decodePng(pngFromRaw(W, H, 2, 0, scanlines(W, H, 1, 2, quads)), 'x')).pixels]).toEqual(quads.map((q) => q * 85));
    // An interlaced 9×9 image where every pixel differs (value 3·(9y + x)), so a pixel placed by the
    // wrong pass, row or column shows. Seven sub-images: pass p samples (x0 + i·dx, y0 + j·dy).
    const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
    const pixel = (x: number, y: number) => 3 * (9 * y + x);
    const raw: number[] = [];
    for (const [x0, y0, dx, dy] of ADAM7) {
      for (let y = y0; y < 9; y += dy) {
        raw.push(0); // filter byte
        for (let x = x0; x < 9; x += dx) raw.push(pixel(x, y));
      }
    }
    const img = decodePng(pngFromRaw(9, 9, 8, 0, Uint8Array.from(raw), { interlace: 1 }), 'x');
    expect([...img.pixels]).toEqual(Array.from({ length: 81 }, (_, i) => pixel(i % 9, Math.floor(i / 9))));
  });

  it('paints transparent areas the colour opposite the drawing', () => {
    // Black ink on transparent reads as black on white; white ink on transparent as white on black.
    const ink = (v: number) => pngFromRaw(2, 1, 8, 6, scanlines(2, 1, 4, 8, [v, v, v, 255, 0, 0, 0, 0]));
    expect([...(decodePng(ink(0), 'x')).pixels]).toEqual([0, 255]);
    expect([...(decodePng(ink(255), 'x')).pixels]).toEqual([255, 0]);
    // A mask asks for black paper: transparent means keep, whatever is drawn.
    expect([...(decodePng(ink(0), 'x', { paper: 0 })).pixels]).toEqual([0, 0]);
    expect([...(decodePng(ink(255), 'x', { paper: 0 })).pixels]).toEqual([255, 0]);
  });

  it('ignores ancillary chunks, even a text chunk with no terminator', () => {
    const png = greyPng(W, H, GREYS);
    const [head, ...rest] = chunksOf(png);
    const withText = concat([png.subarray(0, head.end), chunk('tEXt', new TextEncoder().encode('no-zero-byte-here')), chunk('zzZz', new Uint8Array(3)), png.subarray(rest[0].start)]);
    expect([...(decodePng(withText, 'x')).pixels]).toEqual(GREYS);
  });
});

describe('decodePng: refusals', () => {
  const good = greyPng(W, H, GREYS);
  const [ihdrAt, idatAt] = chunksOf(good);

  it('not a PNG, or empty', () => {
    rejects(new TextEncoder().encode('GIF89a...'), 400, 'not_png');
    rejects(new Uint8Array(0), 400, 'not_png');
  });

  it('truncated anywhere', () => {
    for (const cut of [8, 12, 20, ihdrAt.end, idatAt.start + 10, idatAt.end - 1, good.length - 1]) rejects(good.subarray(0, cut), 400, 'invalid_image');
  });

  it('a flipped bit fails the CRC', () => {
    const bad = good.slice();
    bad[idatAt.start + 9] ^= 1;
    expect((rejects(bad, 400, 'invalid_image')).detail).toMatch(/CRC/);
  });

  it('a decompression bomb is refused from its header, before inflating', () => {
    // 100000×100000 declared, a few bytes of data: never inflated, never allocated.
    const bomb = concat([SIGNATURE, ihdr(100_000, 100_000, 8, 0), chunk('IDAT', zlib.deflateSync(new Uint8Array(1000))), IEND]);
    expect((rejects(bomb, 413, 'image_too_large')).detail).toMatch(/100000×100000/);
    rejects(concat([SIGNATURE, ihdr(1025, 1, 8, 0), IEND]), 413, 'image_too_large');
  });

  it('image data that inflates past what the header declares: refused after inflating one slice more than it', () => {
    // A valid 16×16 header over 10 MB of zeros (10 kB compressed): it declares 272 bytes.
    const small = pngFromRaw(16, 16, 8, 0, new Uint8Array(10_000_000));
    const work = { inflatedBytes: 0 };
    expect(() => decodePng(small, 'the image', { work })).toThrow(/more than the 272 bytes/);
    expect(work.inflatedBytes).toBeLessThanOrEqual(272 + INFLATE_SLICE);
    // 200 MiB and 1000 MiB of zeros under a 1024×1024 header: the same work whatever the data claims.
    for (const mebibytes of [200, 1000]) {
      const bomb = pngBomb(mebibytes);
      expect(bomb.length).toBeLessThan(1 << 20); // an upload the API accepts
      const bombWork = { inflatedBytes: 0 };
      expect(() => decodePng(bomb, 'the image', { work: bombWork })).toThrow(/more than the 1049600 bytes/);
      expect(bombWork.inflatedBytes).toBeGreaterThan(BOMB_DECLARED_BYTES);
      expect(bombWork.inflatedBytes).toBeLessThanOrEqual(BOMB_DECLARED_BYTES + INFLATE_SLICE);
    }
  });

  it('builds its bombs right: zlib data that inflates to exactly that many zeros', () => {
    const zeros = zlib.inflateSync(zerosZlib(3));
    expect(zeros.length).toBe(3 << 20);
    expect(zeros.every((b) => b === 0)).toBe(true);
  });

  it('a picture in thousands of chunks: 1-byte IDATs, and 20 000 empty IDAT and ancillary chunks', () => {
    const pixels = Array.from({ length: 40 * 30 }, (_, i) => (i * 7) % 256);
    const png = greyPng(40, 30, pixels);
    const [head, idat] = chunksOf(png);
    const data = png.subarray(idat.start + 8, idat.end - 4);
    const oneByteIdats = concat([png.subarray(0, head.end), ...Array.from(data, (b) => chunk('IDAT', Uint8Array.of(b))), IEND]);
    const padded = concat([png.subarray(0, head.end), ...Array.from({ length: 20_000 }, (_, i) => chunk(i % 2 ? 'IDAT' : 'tEXt', new Uint8Array(0))), png.subarray(idat.start)]);
    for (const file of [oneByteIdats, padded]) {
      const work = { inflatedBytes: 0 };
      expect([...decodePng(file, 'x', { work }).pixels]).toEqual(pixels);
      expect(work.inflatedBytes).toBe(30 * 41);
    }
  });

  it('short or corrupt image data, and malformed headers', () => {
    rejects(replaceChunk(good, idatAt, zlib.deflateSync(new Uint8Array(10))), 400, 'invalid_image');
    rejects(replaceChunk(good, idatAt, Uint8Array.of(1, 2, 3, 4, 5)), 400, 'invalid_image');
    rejects(concat([SIGNATURE, ihdr(W, H, 8, 0), IEND]), 400, 'invalid_image'); // no IDAT
    rejects(pngFromRaw(W, H, 3, 0, new Uint8Array(9)), 400, 'invalid_image'); // bit depth 3
    rejects(pngFromRaw(W, H, 8, 5, new Uint8Array(9)), 400, 'invalid_image'); // colour type 5
    rejects(pngFromRaw(0, H, 8, 0, new Uint8Array(9)), 400, 'invalid_image'); // no pixels
    rejects(pngFromRaw(W, H, 8, 3, scanlines(W, H, 1, 8, GREYS)), 400, 'invalid_image'); // palette image, no PLTE
    rejects(concat([SIGNATURE, chunk('IDAT', new Uint8Array(4)), IEND]), 400, 'invalid_image'); // IHDR not first
    rejects(concat([SIGNATURE, ihdr(W, H, 8, 0), chunk('ABCD', new Uint8Array(1)), good.subarray(idatAt.start)]), 400, 'invalid_image'); // unknown critical chunk
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
