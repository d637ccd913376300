/**
 * A set of digits scored in every space against the real reference
 * (real-reference.ts): FID with a bootstrap interval and its ratio to the
 * real-vs-real floor, KID ± its spread over subsets, precision/recall and
 * density/coverage.
 */
import { Rng } from '../../src/model/rng';
import { bootstrapInterval, type BootstrapInterval } from './bootstrap';
import { frechetDistanceFrom, gaussianOf } from './fid';
import { kernelDistance, type KidResult } from './kid';
import { kthNeighbourRadii, manifoldScores, squaredDistances, type ManifoldScores } from './manifold';
import type { RealReference, SizedReference } from './real-reference';
import { SPACE_NAMES, type Reading, type SpaceName } from './spaces';

export interface ScoreSettings {
  /** FID bootstrap resamples. */
  bootstrap: number;
  /** KID subsets and their size cap (each subset is at most half the set). */
  kidSubsets: number;
  kidSubsetSize: number;
  /** k of the k-th nearest-neighbour balls. */
  k: number;
  /** Seeds the resamples and subsets: the same for every set, so rows are compared on equal draws. */
  seed: number;
}

export interface SpaceScore {
  space: SpaceName;
  fid: number;
  /** 95 % normal bootstrap interval over the scored digits (the reference held fixed): bootstrap.ts. */
  fidInterval: BootstrapInterval;
  /** fid ÷ the floor's fid (1 for the floor itself). */
  fidRatio: number;
  kid: KidResult;
  manifold: ManifoldScores;
}

/** Scores `reading` in every space; `sized.floor` (when filled) gives the ratios. */
export function scoreSpaces(reading: Reading, ref: Pick<RealReference, 'gaussians' | 'settings'>, sized: Omit<SizedReference, 'floor'> & { floor: SpaceScore[] }): SpaceScore[] {
  const { settings } = ref;
  return SPACE_NAMES.map((space) => {
    const dim = reading.dims[space];
    const features = reading.features[space];
    const n = reading.count;
    const target = ref.gaussians[space];
    const fid = frechetDistanceFrom(target, gaussianOf(features, n, dim));
    const fidInterval = bootstrapInterval(n, settings.bootstrap, new Rng(settings.seed), fid, (rows) => frechetDistanceFrom(target, gaussianOf(features, n, dim, rows)));
    const real = sized.real;
    const subsetSize = Math.min(settings.kidSubsetSize, Math.floor(n / 2), Math.floor(real.count / 2));
    const kid = kernelDistance(features, n, real.features[space], real.count, dim, subsetSize, settings.kidSubsets, new Rng(settings.seed + 1), sized.kernel[space]);
    const ownRadii = kthNeighbourRadii(squaredDistances(features, n, features, n, dim), n, settings.k);
    const manifold = manifoldScores(squaredDistances(features, n, real.features[space], real.count, dim), n, real.count, sized.radii[space], ownRadii, settings.k);
    const floor = sized.floor.find((f) => f.space === space);
    return { space, fid, fidInterval, fidRatio: floor ? fid / floor.fid : 1, kid, manifold };
  });
}
