/**
 * Real digits every generated set is measured against, in every space, made
 * once per run. The MNIST test set is split at random into two halves of
 * 5000: half A is the reference (its Gaussian for FID; a class-balanced
 * sample of it, the size of the generated set, for KID and the nearest-
 * neighbour metrics), and half B stands in for a perfect generator: the
 * same-sized class-balanced sample of B scored exactly like a generated set
 * is the floor, real against real, that every FID is divided by. Neither half
 * was seen by any classifier in training (they learned from MNIST train).
 */
import { Rng } from '../../src/model/rng';
import type { Digits } from '../train/mnist';
import { accuracy } from './classifier';
import { greyCensus, type GreyCensus } from './census';
import { gaussianOf, prepareReference, type PreparedGaussian } from './fid';
import { polynomialGram } from './kid';
import { kthNeighbourRadii, squaredDistances } from './manifold';
import { scoreSpaces, type ScoreSettings, type SpaceScore } from './space-scores';
import { readDigits, SPACE_NAMES, type Instruments, type Reading, type SpaceName } from './spaces';

export interface SizedReference {
  /** Digits per class asked for; the real samples hold up to this many of each class. */
  perClass: number;
  /** The class-balanced real sample from half A that KID and precision/recall compare with. */
  real: Reading;
  /** Per space: the real sample's polynomial-kernel Gram matrix and k-NN radii (squared). */
  kernel: Record<SpaceName, Float64Array>;
  radii: Record<SpaceName, Float64Array>;
  /** Half B's class-balanced sample of the same size, scored like a generated set: the floor. */
  floor: SpaceScore[];
  floorDigits: number;
}

export interface RealReference {
  settings: ScoreSettings;
  /** Both classifiers' accuracy on all 10k test digits, measured in this run. */
  testAccuracy: { selection: number; reporting: number };
  /** Grey census of the 10k test digits. */
  census: GreyCensus;
  halfSize: number;
  /** Half A's Gaussian per space: the FID target. */
  gaussians: Record<SpaceName, PreparedGaussian>;
  /** The references for generated sets of `perClass` digits per class (made on first use, then cached). */
  sized(perClass: number): SizedReference;
}

/** A Reading restricted to `rows` (in that order). */
export function readingRows(reading: Reading, rows: ArrayLike<number>): Reading {
  const pick = <T extends Uint8Array | Float32Array>(data: T, width: number, make: (n: number) => T): T => {
    const out = make(rows.length * width);
    for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
    return out;
  };
  const features = Object.fromEntries(SPACE_NAMES.map((s) => [s, pick(reading.features[s], reading.dims[s], (n) => new Float32Array(n))])) as Record<SpaceName, Float32Array>;
  return {
    count: rows.length,
    predicted: { selection: pick(reading.predicted.selection, 1, (n) => new Uint8Array(n)), reporting: pick(reading.predicted.reporting, 1, (n) => new Uint8Array(n)) },
    features,
    dims: reading.dims,
  };
}

/** Up to `perClass` rows of each class from `rows`, in their order, class-major. */
export function balancedRows(rows: ArrayLike<number>, labels: Uint8Array, perClass: number): number[] {
  const picked: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < rows.length; i++) if (picked[labels[rows[i]]].length < perClass) picked[labels[rows[i]]].push(rows[i]);
  return picked.flat();
}

export async function buildRealReference(instruments: Instruments, test: Digits, seed: number, settings: ScoreSettings): Promise<RealReference> {
  const all = await readDigits(instruments, test.images, test.count);
  const order = new Rng(seed ^ 0x4a1f).permutation(test.count);
  const halfSize = Math.floor(test.count / 2);
  const halfA = order.subarray(0, halfSize);
  const halfB = order.subarray(halfSize, 2 * halfSize);
  const readingA = readingRows(all, halfA);
  const gaussians = Object.fromEntries(SPACE_NAMES.map((s) => [s, prepareReference(gaussianOf(readingA.features[s], halfSize, all.dims[s]))])) as Record<SpaceName, PreparedGaussian>;
  const cache = new Map<number, SizedReference>();
  const ref: RealReference = {
    settings,
    testAccuracy: { selection: accuracy(all.predicted.selection, test.labels).accuracy, reporting: accuracy(all.predicted.reporting, test.labels).accuracy },
    census: greyCensus(test.images, test.count),
    halfSize,
    gaussians,
    sized(perClass) {
      let sized = cache.get(perClass);
      if (!sized) {
        const real = readingRows(all, balancedRows(halfA, test.labels, perClass));
        const kernel = {} as Record<SpaceName, Float64Array>;
        const radii = {} as Record<SpaceName, Float64Array>;
        for (const s of SPACE_NAMES) {
          kernel[s] = polynomialGram(real.features[s], real.count, real.features[s], real.count, real.dims[s]);
          radii[s] = kthNeighbourRadii(squaredDistances(real.features[s], real.count, real.features[s], real.count, real.dims[s]), real.count, settings.k);
        }
        const standIn = readingRows(all, balancedRows(halfB, test.labels, perClass));
        const partial = { perClass, real, kernel, radii, floor: [] as SpaceScore[], floorDigits: standIn.count };
        sized = { ...partial, floor: scoreSpaces(standIn, ref, partial) };
        cache.set(perClass, sized);
      }
      return sized;
    },
  };
  return ref;
}
