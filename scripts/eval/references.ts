/**
 * Real-digit references every generated set of `npm run eval` is scored
 * against, computed once:
 *  - the test-half references and real-vs-real floors of every space
 *    (real-reference.ts);
 *  - the within-class spread of a class-balanced training subset in the
 *    selection classifier's space, for the diversity ratio;
 *  - distances from a class-balanced test subset to its nearest training
 *    digit: what "not memorised" looks like, for the memorisation check.
 */
import { Rng } from '../../src/model/rng';
import type { Digits } from '../train/mnist';
import { classify } from './classifier';
import { classSpread } from './diversity';
import { NearestNeighbourIndex } from './nearest';
import { balancedRows, buildRealReference, type RealReference } from './real-reference';
import type { ScoreSettings } from './space-scores';
import type { Instruments } from './spaces';
import { median, percentile } from './stats';

export interface References {
  real: RealReference;
  realSpread: number[];
  trainIndex: NearestNeighbourIndex;
  /** Nearest-training-digit distances of unseen (test) digits. */
  realNearest: { median: number; p1: number; min: number };
}

export async function buildReferences(instruments: Instruments, train: Digits, test: Digits, perClass: number, seed: number, settings: ScoreSettings): Promise<References> {
  const real = await buildRealReference(instruments, test, seed, settings);
  const trainSubset = balancedSubset(train, perClass, new Rng(seed ^ 0x7a11));
  const subsetReadout = await classify(instruments.selection, trainSubset.images, trainSubset.count);
  const trainIndex = new NearestNeighbourIndex(train.images, train.count);
  const unseen = balancedSubset(test, perClass, new Rng(seed ^ 0x7e57));
  const { distance } = await trainIndex.nearest(unseen.images, unseen.count);
  return {
    real,
    realSpread: classSpread(subsetReadout.features, instruments.selection.net.featureDim, trainSubset.labels),
    trainIndex,
    realNearest: { median: median(distance), p1: percentile(distance, 1), min: Math.min(...distance) },
  };
}

/** `perClass` random digits of each class (fewer if a class has fewer), class-major. */
export function balancedSubset(data: Digits, perClass: number, rng: Rng): Digits {
  const indices = balancedRows(rng.permutation(data.count), data.labels, perClass);
  const images = new Uint8Array(indices.length * 784);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, k) => {
    images.set(data.images.subarray(src * 784, (src + 1) * 784), k * 784);
    labels[k] = data.labels[src];
  });
  return { images, labels, count: indices.length };
}
