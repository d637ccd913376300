/**
 * Untrusted PNG bytes to grey pixels, safely.
 *
 * upng-js decodes every colour type and bit depth, but it trusts its input: it
 * inflates with no output limit (a 1 MB file can inflate to 1 GB), loops forever
 * on a text chunk that runs off the end of the file, and ignores CRCs. So the
 * bytes are checked here first: signature, chunk bounds and CRCs, and a header
 * whose dimensions are checked BEFORE anything is inflated; then an inflate that
 * stops as soon as it passes the size the header implies, so refusing a bomb
 * costs what inflating its header's worth of pixels does, whatever the file
 * claims. Only then does upng-js see a copy reduced to the chunks that define
 * the pixels (IHDR, PLTE, tRNS, IDAT): no text, no animation, nothing else it
 * could trip over. (That copy is inflated a second time inside upng-js, now
 * known to fit.)
 *
 * Two upng-js 2.1.0 decoding bugs are steered around. Grey images of 1, 2 or
 * 4 bits ignore the padding at the end of each row (garbled unless a row fills
 * whole bytes): they are handed over as the equivalent palette image, which it
 * reads correctly. Interlaced 1-bit images it garbles whatever the colour
 * type: those are refused.
 */
import pako from 'pako';
import UPNG from 'upng-js';
import { ApiError } from '../errors';
import { crc32 } from './crc32';
import type { GreyImage } from './grey';

/** Largest accepted width and height: 1024² pixels are at most 8 MiB once inflated (16-bit RGBA). */
const MAX_SIDE = 1024;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const IEND = Uint8Array.of(0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82);
/** Samples per pixel and the bit depths PNG allows, per colour type. */
const COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};
/**
 * Inflate output comes in slices of this size, and the size check runs after
 * each one, so a refused upload inflates at most this much beyond its header's
 * size. (DecompressionStream, used before, inflated a whole written chunk
 * before the check could run: 1 GiB and 8.75 s for a 1 MiB upload.)
 */
export const INFLATE_SLICE = 64 << 10;
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
}

/** What decoding cost: the request log reports it, and tests bound it. */
export interface DecodeWork {
  /** Bytes of image data inflated, summed over every decode this object was handed to. */
  inflatedBytes: number;
}

export interface DecodeOptions {
  /**
   * What transparent areas become: by default ('auto') the colour opposite the
   * drawing's (see toGrey); a mask asks for black, so transparent means keep.
   */
  paper?: 'auto' | 0;
  work?: DecodeWork;
}

/** Decodes `bytes` (any colour type) to grey; `what` names the upload in error details. */
export function decodePng(bytes: Uint8Array, what: string, { paper = 'auto', work = { inflatedBytes: 0 } }: DecodeOptions = {}): GreyImage {
  const { header, kept, compressed } = readChunks(bytes, what);
  if (header.interlaced && header.depth === 1) throw invalid(what, 'is an interlaced 1-bit PNG, which is not supported; save it without interlacing');
  const data = concat(compressed);
  checkInflatedSize(data, rawSize(header), what, work);
  let rgba: Uint8Array;
  try {
    const chunks = header.colourType === 0 && header.depth < 8 ? greyAsPalette(header, kept) : kept;
    // One IDAT however many the file had: upng-js pays per chunk, and a 1 MiB file can hold 87 000 of them.
    rgba = new Uint8Array(UPNG.toRGBA8(UPNG.decode(concat([SIGNATURE, ...chunks, chunk('IDAT', data), IEND]).buffer))[0]);
  } catch {
    throw invalid(what, 'could not be decoded');
  }
  return toGrey(rgba, header.width, header.height, paper);
}

/**
 * Width × height as the file's header states them, read without decoding or
 * checking anything else: what an upload will cost, known before it is
 * decoded (src/cost.ts). 0 when the bytes do not begin like a PNG; sides over
 * the accepted maximum count as that maximum (decodePng refuses them anyway).
 */
export function declaredPixels(bytes: Uint8Array): number {
  const ihdr = 8 + 8; // signature, then the first chunk's length and type
  if (bytes.length < ihdr + 8 || !SIGNATURE.every((b, i) => bytes[i] === b)) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset + ihdr, 8);
  return Math.min(view.getUint32(0), MAX_SIDE) * Math.min(view.getUint32(4), MAX_SIDE);
}

function readChunks(bytes: Uint8Array, what: string): { header: Header; kept: Uint8Array[]; compressed: Uint8Array[] } {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new ApiError(400, 'not_png', `${what} is not a PNG: it does not start with the PNG signature`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | null = null;
  let hasPalette = false;
  const kept: Uint8Array[] = [];
  const compressed: Uint8Array[] = [];
  for (let offset = 8; ; ) {
    if (offset + 12 > bytes.length) throw invalid(what, 'is truncated: it ends before its IEND chunk');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    if (!isChunkType(type)) throw invalid(what, `is corrupt: a chunk type is not four letters (at byte ${offset})`);
    const end = offset + 12 + length;
    if (end > bytes.length) throw invalid(what, `is truncated: chunk ${type} runs past the end of the file`);
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== view.getUint32(end - 4)) throw invalid(what, `is corrupt: chunk ${type} fails its CRC`);
    const chunk = bytes.subarray(offset, end);
    const data = bytes.subarray(offset + 8, end - 4);
    offset = end;
    if (!header) {
      if (type !== 'IHDR') throw invalid(what, 'is corrupt: the first chunk is not IHDR');
      header = readHeader(data, what);
    } else if (type === 'IEND') {
      break;
    } else if (type === 'IDAT') {
      compressed.push(data);
      continue;
    } else if (type === 'PLTE' && header.colourType === 3) {
      if (length === 0 || length % 3 || length > 768) throw invalid(what, 'is corrupt: its palette is not 1 to 256 RGB entries');
      hasPalette = true;
    } else if (type !== 'tRNS') {
      // Lower-case first letter = ancillary: safe to drop. Anything else critical here is not understood.
      if (type !== 'PLTE' && type[0] === type[0].toUpperCase()) throw invalid(what, `has an unexpected critical chunk ${type}`);
      continue;
    }
    kept.push(chunk);
  }
  if (!compressed.length) throw invalid(what, 'has no image data (no IDAT chunk)');
  if (header!.colourType === 3 && !hasPalette) throw invalid(what, 'is a palette image without a palette');
  return { header: header!, kept, compressed };
}

/** Four ASCII letters (without a regular expression: this runs once per chunk, and a file may hold tens of thousands). */
function isChunkType(type: string): boolean {
  for (let i = 0; i < 4; i++) {
    const c = type.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return false;
  }
  return true;
}

function readHeader(data: Uint8Array, what: string): Header {
  if (data.length !== 13) throw invalid(what, 'is corrupt: its IHDR chunk is not 13 bytes');
  const view = new DataView(data.buffer, data.byteOffset, 13);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [depth, colourType, compression, filter, interlace] = data.subarray(8);
  if (width === 0 || height === 0) throw invalid(what, `has no pixels (${width}×${height})`);
  // The decompression-bomb check: the header alone says how big the pixels will be.
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new ApiError(413, 'image_too_large', `${what} is ${width}×${height} pixels; at most ${MAX_SIDE}×${MAX_SIDE} is accepted`);
  }
  if (!COLOUR_TYPES[colourType]?.depths.includes(depth)) throw invalid(what, `has colour type ${colourType} with bit depth ${depth}, which PNG does not define`);
  if (compression !== 0 || filter !== 0 || interlace > 1) throw invalid(what, 'uses an unknown compression, filter or interlace method');
  return { width, height, depth, colourType, interlaced: interlace === 1 };
}

/**
 * A low-depth grey image as the same samples indexing a grey ramp: IHDR says
 * colour type 3, a PLTE of 2^depth greys follows, and a grey tRNS (one
 * transparent sample value) becomes a palette tRNS.
 */
function greyAsPalette(h: Header, kept: Uint8Array[]): Uint8Array[] {
  const levels = 1 << h.depth;
  const header = kept[0].slice(8, 21);
  header[9] = 3;
  const ramp = new Uint8Array(3 * levels).map((_, i) => Math.round((Math.floor(i / 3) * 255) / (levels - 1)));
  const out = [chunk('IHDR', header), chunk('PLTE', ramp)];
  for (const c of kept.slice(1)) {
    const type = String.fromCharCode(...c.subarray(4, 8));
    if (type !== 'tRNS') out.push(c);
    else if (c.length === 14 && c[8] === 0 && c[9] < levels) out.push(chunk('tRNS', new Uint8Array(c[9] + 1).fill(255).fill(0, c[9])));
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Bytes of the inflated image data: per row one filter byte + packed samples; Adam7 stores seven smaller images. */
function rawSize(h: Header): number {
  const bitsPerPixel = COLOUR_TYPES[h.colourType].channels * h.depth;
  const image = (w: number, rows: number) => (w > 0 && rows > 0 ? rows * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0);
  if (!h.interlaced) return image(h.width, h.height);
  return ADAM7.reduce((n, [x0, y0, dx, dy]) => n + image(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy)), 0);
}

/** Inflates slice by slice, counting into `work`, and gives up as soon as the data outgrows its header. */
function checkInflatedSize(compressed: Uint8Array, expected: number, what: string, work: DecodeWork): void {
  const inflater = new pako.Inflate({ chunkSize: INFLATE_SLICE });
  let total = 0;
  inflater.onData = (slice: Uint8Array) => {
    total += slice.length;
    work.inflatedBytes += slice.length;
    if (total > expected) throw invalid(what, `is corrupt: its image data inflates to more than the ${expected} bytes its header implies`);
  };
  inflater.push(compressed, true);
  if (inflater.err) throw invalid(what, 'is corrupt: its compressed image data does not inflate');
  if (total < expected) throw invalid(what, `is truncated: its image data inflates to ${total} of ${expected} bytes`);
}

/**
 * Rec. 601 luma over `paper`. 'auto' paper is the colour opposite to the
 * drawing's average, so dark ink on a transparent background reads as dark on
 * white and light ink as light on black.
 */
function toGrey(rgba: Uint8Array, width: number, height: number, paper: 'auto' | 0): GreyImage {
  const n = width * height;
  const luma = new Uint8Array(n);
  let weighted = 0;
  let coverage = 0;
  for (let i = 0; i < n; i++) {
    luma[i] = Math.floor((299 * rgba[4 * i] + 587 * rgba[4 * i + 1] + 114 * rgba[4 * i + 2] + 500) / 1000);
    weighted += luma[i] * rgba[4 * i + 3];
    coverage += rgba[4 * i + 3];
  }
  if (coverage === 255 * n) return { width, height, pixels: luma };
  const background = paper === 'auto' ? (coverage > 0 && weighted / coverage >= 128 ? 0 : 255) : paper;
  const pixels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3];
    pixels[i] = Math.round((luma[i] * a + background * (255 - a)) / 255);
  }
  return { width, height, pixels };
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function invalid(what: string, detail: string): ApiError {
  return new ApiError(400, 'invalid_image', `${what} ${detail}`);
}
