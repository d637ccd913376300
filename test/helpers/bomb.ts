/** Decompression bombs for tests, built without ever holding what they inflate to. */
import zlib from 'node:zlib';
import { chunk, concat, IEND, ihdr, SIGNATURE, type Bytes } from './png';

const MIB = 1 << 20;

/**
 * zlib data inflating to `mebibytes` MiB of zeros: one MiB deflated with a sync
 * flush (a byte-aligned, non-final run of blocks that refers only to itself),
 * repeated, then a final empty block and the Adler-32 of that many zeros.
 */
export function zerosZlib(mebibytes: number): Bytes {
  const segment = zlib.deflateRawSync(Buffer.alloc(MIB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const adler = ((mebibytes * MIB) % 65521) * 65536 + 1; // a = 1 + Σ0 = 1, b = Σa = n (mod 65521)
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler);
  return concat([Uint8Array.of(0x78, 0x9c), ...Array.from({ length: mebibytes }, () => segment), zlib.deflateRawSync(Buffer.alloc(0)), trailer]);
}

/** A 1024×1024 8-bit grey PNG header (1 049 600 bytes of image data) over `mebibytes` MiB of zeros. */
export function pngBomb(mebibytes: number): Bytes {
  return concat([SIGNATURE, ihdr(1024, 1024, 8, 0), chunk('IDAT', zerosZlib(mebibytes)), IEND]);
}

/** The image data a 1024×1024 8-bit grey PNG declares: 1024 rows of a filter byte and 1024 samples. */
export const BOMB_DECLARED_BYTES = 1024 * 1025;
