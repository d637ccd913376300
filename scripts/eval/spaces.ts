/**
 * The feature spaces eval measures distances in, and the instruments behind them:
 *  - selection: the selection classifier's 128-d features (eval/classifier).
 *    Served settings are chosen with it, so its figures flatter them.
 *  - reporting: the reporting classifier's 64-d features
 *    (eval/reporting-classifier: another architecture, seed and augmentation).
 *  - pixels14: the digit itself, 2×2-averaged to 14×14 (196-d). No training,
 *    so nothing learned can be blind to what it sees; it sees what a
 *    classifier may ignore (background haze, stroke rims and thickness), and
 *    at 14×14 it still follows a stroke moved by a pixel. Chosen over an
 *    autoencoder's bottleneck: no third network to train, seed and tune on
 *    two shared cores, and nothing to argue about in how it was trained.
 */
import { classify, type Classifier } from './classifier';

export type SpaceName = 'selection' | 'reporting' | 'pixels14';
export const SPACE_NAMES: readonly SpaceName[] = ['selection', 'reporting', 'pixels14'];
export const SPACE_LABELS: Record<SpaceName, string> = {
  selection: 'selection classifier (128-d)',
  reporting: 'reporting classifier (64-d)',
  pixels14: 'pixels 14×14 (196-d)',
};

export interface Instruments {
  selection: Classifier;
  reporting: Classifier;
}

/** One set of digits as every instrument reads it. */
export interface Reading {
  count: number;
  /** Class per digit, by each classifier. */
  predicted: { selection: Uint8Array; reporting: Uint8Array };
  /** count × dims[space] features, row-major. */
  features: Record<SpaceName, Float32Array>;
  dims: Record<SpaceName, number>;
}

const POOLED_SIDE = 14;

/** 28×28 grey bytes to 14×14 ink in [0, 1], each pixel the mean of a 2×2 block. */
export function pooledPixels(pixels: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count * POOLED_SIDE * POOLED_SIDE);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < POOLED_SIDE; y++) {
      for (let x = 0; x < POOLED_SIDE; x++) {
        const o = n * 784 + 2 * y * 28 + 2 * x;
        out[n * 196 + y * POOLED_SIDE + x] = (pixels[o] + pixels[o + 1] + pixels[o + 28] + pixels[o + 29]) / (4 * 255);
      }
    }
  }
  return out;
}

export async function readDigits(instruments: Instruments, pixels: Uint8Array, count: number): Promise<Reading> {
  const selection = await classify(instruments.selection, pixels, count);
  const reporting = await classify(instruments.reporting, pixels, count);
  return {
    count,
    predicted: { selection: selection.predicted, reporting: reporting.predicted },
    features: { selection: selection.features, reporting: reporting.features, pixels14: pooledPixels(pixels, count) },
    dims: { selection: instruments.selection.net.featureDim, reporting: instruments.reporting.net.featureDim, pixels14: POOLED_SIDE * POOLED_SIDE },
  };
}
