/** The committed evaluation classifiers read real digits as well as their manifests say. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, classify } from '../scripts/eval/classifier';
import { CLASSIFIER_DIR, loadClassifier, REPORTING_CLASSIFIER_DIR } from '../scripts/eval/classifier-weights';
import { loadMnist } from '../scripts/train/mnist';
import { useWasm } from './helpers/node-backend';

beforeAll(useWasm);

describe('evaluation classifiers (eval/classifier, eval/reporting-classifier)', () => {
  // The reporting classifier is a smaller family under heavier augmentation: 98.95 %, recorded as such.
  it.each([
    ['selection', 0.99, CLASSIFIER_DIR, 'cnn3', 128],
    ['reporting', 0.985, REPORTING_CLASSIFIER_DIR, 'lenet-elu', 64],
  ])('the %s classifier gets exactly its recorded accuracy on the 10k MNIST test digits, and at least a share %s of them', async (_, least, dir, net, featureDim) => {
    const classifier = loadClassifier(dir);
    const test = loadMnist('test');
    const readout = await classify(classifier, test.images, test.count);
    const { correct, accuracy: acc } = accuracy(readout.predicted, test.labels);
    expect(classifier.net.name).toBe(net);
    expect(classifier.manifest.test.count).toBe(test.count);
    expect(correct).toBe(classifier.manifest.test.correct);
    expect(acc).toBeGreaterThanOrEqual(least);
    expect(readout.features).toHaveLength(test.count * featureDim);
  });

  it('are two instruments: different architectures, seeds and augmentations', () => {
    const selection = loadClassifier(CLASSIFIER_DIR).manifest;
    const reporting = loadClassifier(REPORTING_CLASSIFIER_DIR).manifest;
    const recipe = (m: typeof selection) => m.training.recipe as { seed: number; augment?: string };
    expect(reporting.net).not.toBe(selection.net ?? 'cnn3');
    expect(recipe(reporting).seed).not.toBe(recipe(selection).seed);
    expect(recipe(reporting).augment).toBe('affine');
    expect(recipe(selection).augment ?? 'shift').toBe('shift');
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
