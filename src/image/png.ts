/**
 * Grey pixels to PNG with upng-js.
 * upng-js 2.1.0 has no grey colour-type writer; given RGBA with ≤ 256 distinct
 * colours and cnum = 0 (lossless) it writes an indexed PNG with a grey palette,
 * which is as compact. Nearest-neighbour upscaling keeps the 28×28 pixels crisp.
 */
import UPNG from 'upng-js';
import type { GreyImage } from './grey';

export function upscaleNearest(image: GreyImage, width: number, height: number): GreyImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor((y * image.height) / height);
    for (let x = 0; x < width; x++) pixels[y * width + x] = image.pixels[sy * image.width + Math.floor((x * image.width) / width)];
  }
  return { width, height, pixels };
}

/** Lays equally sized images out in a grid, row by row. */
export function grid(images: GreyImage[], columns: number): GreyImage {
  const { width: w, height: h } = images[0];
  const rows = Math.ceil(images.length / columns);
  const out: GreyImage = { width: w * columns, height: h * rows, pixels: new Uint8Array(w * columns * h * rows) };
  images.forEach((img, i) => {
    const ox = (i % columns) * w;
    const oy = Math.floor(i / columns) * h;
    for (let y = 0; y < h; y++) out.pixels.set(img.pixels.subarray(y * w, (y + 1) * w), (oy + y) * out.width + ox);
  });
  return out;
}

function rgba(image: GreyImage): ArrayBuffer {
  const out = new Uint8Array(image.width * image.height * 4);
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i];
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out.buffer;
}

export function encodePng(image: GreyImage): Uint8Array<ArrayBuffer> {
  return encode([rgba(image)], image.width, image.height);
}

/** A colour picture, 4 bytes (RGBA) per pixel, row-major: eval's figures (scripts/eval/plot). */
export function encodeRgbaPng(rgbaPixels: Uint8Array, width: number, height: number): Uint8Array<ArrayBuffer> {
  if (rgbaPixels.length !== width * height * 4) throw new Error(`encodeRgbaPng: ${rgbaPixels.length} bytes for ${width}×${height} RGBA`);
  return encode([Uint8Array.from(rgbaPixels).buffer], width, height);
}

/** Animated PNG, one frame per image, `delayMs` each (the last frame holds for `lastDelayMs`). */
export function encodeApng(frames: GreyImage[], delayMs: number, lastDelayMs = delayMs): Uint8Array<ArrayBuffer> {
  const { width, height } = frames[0];
  const delays = frames.map((_, i) => (i === frames.length - 1 ? lastDelayMs : delayMs));
  return encode(frames.map(rgba), width, height, delays);
}

/** upng-js's encode with its sixth argument, forbidPlte, which the type declarations leave out. */
const upngEncode = UPNG.encode as (frames: ArrayBuffer[], width: number, height: number, cnum: number, delays?: number[], forbidPalette?: boolean) => ArrayBuffer;
const IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/**
 * upng-js writes into a buffer of 4·w·h·frames + 100 bytes and silently cuts off
 * whatever does not fit, which a tiny image with a large palette overflows (a
 * 5×3 picture of 15 greys came out without its IEND). A cut-off PNG is encoded
 * again without a palette, which always fits (3 bytes per pixel).
 */
function encode(frames: ArrayBuffer[], width: number, height: number, delays?: number[]): Uint8Array<ArrayBuffer> {
  const png = new Uint8Array(upngEncode(frames, width, height, 0, delays));
  const complete = IEND.every((b, i) => png[png.length - IEND.length + i] === b);
  return complete ? png : new Uint8Array(upngEncode(frames, width, height, 0, delays, true));
}
