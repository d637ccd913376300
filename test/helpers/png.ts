/** Building PNGs byte by byte for tests: any colour type, bit depth and interlace, and chunk-level surgery. */
import zlib from 'node:zlib';
import { crc32 } from '../../src/image/crc32';

export const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export type Bytes = Uint8Array<ArrayBuffer>;

export function concat(parts: Uint8Array[]): Bytes {
  return new Uint8Array(Buffer.concat(parts));
}

/** One chunk: length, type, data, CRC over type + data. */
export function chunk(type: string, data: Uint8Array): Bytes {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return new Uint8Array(out);
}

export function ihdr(width: number, height: number, depth: number, colourType: number, interlace = 0): Bytes {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([depth, colourType, 0, 0, interlace], 8);
  return chunk('IHDR', data);
}

export const IEND = chunk('IEND', new Uint8Array(0));

/** A PNG from already-filtered scanlines (`raw`), with optional chunks (PLTE, tRNS, …) before IDAT. */
export function pngFromRaw(width: number, height: number, depth: number, colourType: number, raw: Uint8Array, opts: { interlace?: number; before?: Uint8Array[] } = {}): Bytes {
  return concat([SIGNATURE, ihdr(width, height, depth, colourType, opts.interlace), ...(opts.before ?? []), chunk('IDAT', zlib.deflateSync(raw)), IEND]);
}

/** Samples (one number per channel per pixel, row-major) packed big-endian at `depth` bits, filter 0 per row. */
export function scanlines(width: number, height: number, channels: number, depth: number, samples: number[]): Uint8Array {
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const out = new Uint8Array(height * (1 + rowBytes));
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const v = samples[y * width * channels + i];
      const bit = i * depth;
      const at = y * (1 + rowBytes) + 1 + Math.floor(bit / 8);
      if (depth === 16) out.set([v >> 8, v & 255], at);
      else if (depth === 8) out[at] = v;
      else out[at] |= v << (8 - depth - (bit % 8));
    }
  }
  return out;
}

/** An 8-bit grey PNG (colour type 0). */
export function greyPng(width: number, height: number, pixels: ArrayLike<number>): Bytes {
  return pngFromRaw(width, height, 8, 0, scanlines(width, height, 1, 8, Array.from(pixels)));
}

export interface ChunkAt {
  type: string;
  /** Offset of the chunk's length field, and one past its CRC. */
  start: number;
  end: number;
}

/** The chunks of a well-formed PNG. */
export function chunksOf(png: Uint8Array): ChunkAt[] {
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const out: ChunkAt[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const end = at + 12 + view.readUInt32BE(at);
    out.push({ type: view.toString('latin1', at + 4, at + 8), start: at, end });
    at = end;
  }
  return out;
}

/** `png` with one chunk's data replaced (CRC recomputed, so only the content is wrong). */
export function replaceChunk(png: Uint8Array, c: ChunkAt, data: Uint8Array): Bytes {
  return concat([png.subarray(0, c.start), chunk(c.type, data), png.subarray(c.end)]);
}

export function multipart(parts: { name: string; filename?: string; type?: string; body: Uint8Array | string }[], boundary = 'test-boundary-7d1'): { body: Bytes; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}
