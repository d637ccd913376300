/** The committed evaluation classifier reads real digits as well as its manifest says. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, classify, FEATURE_DIM } from '../scripts/eval/classifier';
import { CLASSIFIER_DIR, loadClassifier } from '../scripts/eval/classifier-weights';
import { loadMnist } from '../scripts/train/mnist';
import { useWasm } from './helpers/node-backend';

beforeAll(useWasm);

describe('evaluation classifier (eval/classifier)', () => {
  it('gets exactly its recorded accuracy on the 10k MNIST test digits, and at least 99%', async () => {
    const { manifest, params } = loadClassifier();
    const test = loadMnist('test');
    const readout = await classify(params, test.images, test.count);
    const { correct, accuracy: acc } = accuracy(readout.predicted, test.labels);
    expect(manifest.test.count).toBe(test.count);
    expect(correct).toBe(manifest.test.correct);
    expect(acc).toBeGreaterThanOrEqual(0.99);
    expect(readout.features).toHaveLength(test.count * FEATURE_DIM);
  });

  it('says how to make it when it is missing, and refuses weights that fail their checksum', () => {
    expect(() => loadClassifier(path.join(os.tmpdir(), 'no-such-classifier'))).toThrow(/npm run train:classifier/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classifier-'));
    for (const f of fs.readdirSync(CLASSIFIER_DIR)) fs.copyFileSync(path.join(CLASSIFIER_DIR, f), path.join(dir, f));
    const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
    bin[100] ^= 1;
    fs.writeFileSync(path.join(dir, 'weights.bin'), bin);
    expect(() => loadClassifier(dir)).toThrow(/sha256/);
  });
});
