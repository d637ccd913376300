/**
 * Fréchet distance between two sets of feature vectors, each summarised as a
 * Gaussian (Heusel et al. 2017, "FID"), here in eval's own feature spaces
 * (spaces.ts) instead of Inception's:
 *   d² = |μ₁ − μ₂|² + tr(Σ₁) + tr(Σ₂) − 2·tr((Σ₁^½ Σ₂ Σ₁^½)^½)
 * The last trace is computed from the symmetric form, whose eigenvalues equal
 * those of Σ₁Σ₂, so only symmetric eigen-decompositions are needed; Σ₁^½ of
 * a fixed reference is computed once (prepareReference), so each further set
 * (and each bootstrap resample) costs two products and one eigenvalue solve.
 * FID is biased upward for small sets: compare figures at the same set size
 * (eval measures a real-vs-real floor with the generated set's size).
 */
import { matMul, sqrtPsd, symmetricEigenvalues, type Matrix } from './linalg';

export interface Gaussian {
  mean: Float64Array;
  cov: Matrix;
  count: number;
}

/**
 * Mean and unbiased covariance of `count` row vectors of width `dim`; `rows`
 * picks which rows (with repeats: a bootstrap resample), all of them by default.
 */
export function gaussianOf(features: Float32Array, count: number, dim: number, rows?: ArrayLike<number>): Gaussian {
  if (count < 2) throw new Error('FID needs at least two vectors per set');
  const row = (i: number) => (rows ? rows[i] : i) * dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[row(i) + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const o = row(i);
    for (let j = 0; j < dim; j++) centred[j] = features[o + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= count - 1;
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  return { mean, cov: { n: dim, data: cov }, count };
}

/** A reference Gaussian with the square root of its covariance, made once. */
export interface PreparedGaussian extends Gaussian {
  root: Matrix;
}

export function prepareReference(g: Gaussian): PreparedGaussian {
  return { ...g, root: sqrtPsd(g.cov) };
}

export function frechetDistance(p: Gaussian, q: Gaussian): number {
  return frechetDistanceFrom(prepareReference(p), q);
}

export function frechetDistanceFrom(p: PreparedGaussian, q: Gaussian): number {
  const n = p.cov.n;
  let meanTerm = 0;
  let traces = 0;
  for (let i = 0; i < n; i++) {
    meanTerm += (p.mean[i] - q.mean[i]) ** 2;
    traces += p.cov.data[i * n + i] + q.cov.data[i * n + i];
  }
  const values = symmetricEigenvalues(matMul(matMul(p.root, q.cov), p.root));
  let crossTrace = 0;
  for (const v of values) crossTrace += Math.sqrt(Math.max(0, v));
  // Rounding can leave a tiny negative number for identical sets.
  return Math.max(0, meanTerm + traces - 2 * crossTrace);
}
