/**
 * Precision and recall of a generated set against a real one (Kynkäänniemi
 * et al. 2019), with density and coverage (Naeem et al. 2020), all from k-th
 * nearest-neighbour balls in a feature space:
 *  - precision: share of generated points inside some real point's ball
 *    (radius = distance to its k-th nearest real neighbour): realism;
 *  - recall: share of real points inside some generated point's ball:
 *    how much of the real variety the generator reaches;
 *  - density: real balls containing each generated point, ÷ k, averaged
 *    (≈1 for a sample of the real distribution; rewards dense regions);
 *  - coverage: share of real balls that contain a generated point.
 * Recall depends on the set sizes: compare sets of equal size, as eval does.
 */

/** Squared Euclidean distances between all rows of A (na × dim) and B (nb × dim), row-major na × nb. */
export function squaredDistances(a: Float32Array, na: number, b: Float32Array, nb: number, dim: number): Float64Array {
  const out = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const diff = a[i * dim + k] - b[j * dim + k];
        d += diff * diff;
      }
      out[i * nb + j] = d;
    }
  }
  return out;
}

/** Squared distance from each row of a set to its k-th nearest other row, from the set's own distance matrix (n × n). */
export function kthNeighbourRadii(selfDistances: Float64Array, n: number, k: number): Float64Array {
  if (k >= n) throw new Error(`the ${k}-th neighbour needs more than ${k} points, got ${n}`);
  const radii = new Float64Array(n);
  const nearest = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    nearest.fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = selfDistances[i * n + j];
      if (d >= nearest[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && nearest[p - 1] > d) {
        nearest[p] = nearest[p - 1];
        p--;
      }
      nearest[p] = d;
    }
    radii[i] = nearest[k - 1];
  }
  return radii;
}

export interface ManifoldScores {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  k: number;
}

/**
 * From the generated-to-real distances (ng × nr) and each set's k-NN radii
 * (all squared; a point on a ball's edge is inside it).
 */
export function manifoldScores(crossDistances: Float64Array, ng: number, nr: number, realRadii: Float64Array, generatedRadii: Float64Array, k: number): ManifoldScores {
  let precise = 0;
  let inBalls = 0;
  const realCovered = new Uint8Array(nr);
  const realRecalled = new Uint8Array(nr);
  for (let g = 0; g < ng; g++) {
    let inside = false;
    for (let r = 0; r < nr; r++) {
      const d = crossDistances[g * nr + r];
      if (d <= realRadii[r]) {
        inside = true;
        inBalls++;
        realCovered[r] = 1;
      }
      if (d <= generatedRadii[g]) realRecalled[r] = 1;
    }
    if (inside) precise++;
  }
  const share = (flags: Uint8Array) => flags.reduce((s, f) => s + f, 0) / flags.length;
  return { precision: precise / ng, recall: share(realRecalled), density: inBalls / (k * ng), coverage: share(realCovered), k };
}
