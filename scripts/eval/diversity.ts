/**
 * Within-class diversity: the mean Euclidean distance between two different
 * samples of one class, in the classifier's feature space. Reported as a ratio
 * to the same figure for real digits of that class: ≈1 means as varied as
 * handwriting, well below 1 means the generator repeats itself (mode
 * collapse; strong guidance pushes this way). The mean over pairs is unbiased
 * whatever the set size, so the real reference may be any size.
 */

/** Mean pairwise distance among the rows `indices` of `features` (width `dim`). */
export function meanPairwiseDistance(features: Float32Array, dim: number, indices: ArrayLike<number>): number {
  const n = indices.length;
  if (n < 2) return NaN;
  let total = 0;
  for (let a = 0; a < n; a++) {
    const oa = indices[a] * dim;
    for (let b = a + 1; b < n; b++) {
      const ob = indices[b] * dim;
      let d = 0;
      for (let k = 0; k < dim; k++) d += (features[oa + k] - features[ob + k]) ** 2;
      total += Math.sqrt(d);
    }
  }
  return total / ((n * (n - 1)) / 2);
}

/** Mean pairwise distance per class (index = class). */
export function classSpread(features: Float32Array, dim: number, labels: ArrayLike<number>, classes = 10): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  return byClass.map((idx) => meanPairwiseDistance(features, dim, idx));
}
