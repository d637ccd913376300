/**
 * Kernel Inception Distance (Bińkowski et al. 2018), in eval's feature
 * spaces: the unbiased estimate of the squared maximum mean discrepancy with
 * the cubic polynomial kernel k(x, y) = (x·y / d + 1)³,
 *   MMD² = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/m²,
 * averaged over random subsets of m from each set; the spread over subsets
 * is the ± reported beside it. Unlike FID it is unbiased: two samples of one
 * distribution read ≈ 0 at any size (and may read slightly below).
 */
import type { Rng } from '../../src/model/rng';

/** k(a_i, b_j) for all pairs: na × nb, row-major. */
export function polynomialGram(a: Float32Array, na: number, b: Float32Array, nb: number, dim: number): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[i * dim + k] * b[j * dim + k];
      out[i * nb + j] = (dot / dim + 1) ** 3;
    }
  }
  return out;
}

/** Unbiased MMD² of the rows `xs` of X and `ys` of Y, from precomputed Gram matrices (kxx: nx × nx, kyy: ny × ny, kxy: nx × ny). */
export function mmdSquared(kxx: Float64Array, nx: number, kyy: Float64Array, ny: number, kxy: Float64Array, xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const m = xs.length;
  const n = ys.length;
  let within = 0;
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) if (a !== b) within += kxx[xs[a] * nx + xs[b]];
  let withinY = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) withinY += kyy[ys[a] * ny + ys[b]];
  let cross = 0;
  for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) cross += kxy[xs[a] * ny + ys[b]];
  return within / (m * (m - 1)) + withinY / (n * (n - 1)) - (2 * cross) / (m * n);
}

export interface KidResult {
  mean: number;
  std: number;
  subsetSize: number;
  subsets: number;
}

/** Distinct rows of one subset: the first m of a partial Fisher-Yates shuffle. */
function subset(count: number, m: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(count - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.subarray(0, m);
}

/**
 * KID of X (generated) against Y (real): mean and standard deviation of MMD²
 * over `subsets` random subsets of `subsetSize` rows of each. `kyy` may be
 * passed in when Y is a fixed reference scored against many sets.
 */
export function kernelDistance(x: Float32Array, nx: number, y: Float32Array, ny: number, dim: number, subsetSize: number, subsets: number, rng: Rng, kyy = polynomialGram(y, ny, y, ny, dim)): KidResult {
  const m = Math.min(subsetSize, nx, ny);
  if (m < 2) throw new Error(`KID needs subsets of at least 2, got ${m}`);
  const kxx = polynomialGram(x, nx, x, nx, dim);
  const kxy = polynomialGram(x, nx, y, ny, dim);
  const values = Array.from({ length: subsets }, () => mmdSquared(kxx, nx, kyy, ny, kxy, subset(nx, m, rng), subset(ny, m, rng)));
  const mean = values.reduce((s, v) => s + v, 0) / subsets;
  const std = subsets > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (subsets - 1)) : 0;
  return { mean, std, subsetSize: m, subsets };
}
