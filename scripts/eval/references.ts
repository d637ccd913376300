/**
 * Real-digit references every generated set is scored against, computed once:
 *  - the MNIST test set (10k) in classifier-feature space, the FID target;
 *  - the FID floor: a class-balanced training subset of the generated set's
 *    size against the same test set (FID of real digits, at this set size);
 *  - the within-class spread of that real subset, for the diversity ratio;
 *  - distances from a class-balanced test subset to its nearest training
 *    digit: what "not memorised" looks like, for the memorisation check.
 */
import type { Params } from '../../src/model/unet';
import { Rng } from '../../src/model/rng';
import type { Digits } from '../train/mnist';
import { accuracy, classify, FEATURE_DIM } from './classifier';
import { classSpread } from './diversity';
import { backgroundShare } from './evaluate';
import { frechetDistance, gaussianOf, type Gaussian } from './fid';
import { NearestNeighbourIndex } from './nearest';
import { median, percentile } from './stats';

export interface References {
  testGaussian: Gaussian;
  /** The classifier's accuracy on the 10k test digits, measured in this run. */
  classifierTestAccuracy: number;
  fidFloor: number;
  realSpread: number[];
  trainIndex: NearestNeighbourIndex;
  /** Nearest-training-digit distances of unseen (test) digits. */
  realNearest: { median: number; p1: number; min: number };
  /** Share of exactly-0 pixels in the 10k test digits (≈82%). */
  realBackgroundShare: number;
}

export async function buildReferences(classifier: Params, train: Digits, test: Digits, perClass: number, seed: number): Promise<References> {
  const testReadout = await classify(classifier, test.images, test.count);
  const testGaussian = gaussianOf(testReadout.features, test.count, FEATURE_DIM);

  const trainSubset = balancedSubset(train, perClass, new Rng(seed ^ 0x7a11));
  const subsetReadout = await classify(classifier, trainSubset.images, trainSubset.count);
  const fidFloor = frechetDistance(gaussianOf(subsetReadout.features, trainSubset.count, FEATURE_DIM), testGaussian);

  const trainIndex = new NearestNeighbourIndex(train.images, train.count);
  const unseen = balancedSubset(test, perClass, new Rng(seed ^ 0x7e57));
  const { distance } = await trainIndex.nearest(unseen.images, unseen.count);
  return {
    testGaussian,
    classifierTestAccuracy: accuracy(testReadout.predicted, test.labels).accuracy,
    fidFloor,
    realSpread: classSpread(subsetReadout.features, FEATURE_DIM, trainSubset.labels),
    trainIndex,
    realNearest: { median: median(distance), p1: percentile(distance, 1), min: Math.min(...distance) },
    realBackgroundShare: backgroundShare(test.images),
  };
}

/** `perClass` random digits of each class (fewer if a class has fewer), class-major. */
export function balancedSubset(data: Digits, perClass: number, rng: Rng): Digits {
  const order = rng.permutation(data.count);
  const picked: number[][] = Array.from({ length: 10 }, () => []);
  for (const i of order) if (picked[data.labels[i]].length < perClass) picked[data.labels[i]].push(i);
  const indices = picked.flat();
  const images = new Uint8Array(indices.length * 784);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, k) => {
    images.set(data.images.subarray(src * 784, (src + 1) * 784), k * 784);
    labels[k] = data.labels[src];
  });
  return { images, labels, count: indices.length };
}
