/** The reporting instruments' maths on small inputs whose answers are known by hand or in closed form. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/model/rng';
import { bootstrapInterval } from '../scripts/eval/bootstrap';
import { greyCensus } from '../scripts/eval/census';
import { frechetDistance, frechetDistanceFrom, gaussianOf, prepareReference } from '../scripts/eval/fid';
import { kernelDistance, mmdSquared, polynomialGram } from '../scripts/eval/kid';
import { matMul, symmetricEigen, symmetricEigenvalues } from '../scripts/eval/linalg';
import { kthNeighbourRadii, manifoldScores, squaredDistances } from '../scripts/eval/manifold';
import { pooledPixels } from '../scripts/eval/spaces';
import { loadMnist } from '../scripts/train/mnist';

const f32 = (values: number[]) => Float32Array.from(values);

/** n rows of width dim from N(shift, I). */
function normals(n: number, dim: number, seed: number, shift = 0): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * dim }, () => shift + rng.normal());
}

describe('eigenvalues by tridiagonal QL', () => {
  it('agree with the Jacobi decomposition on random covariance-like matrices, and are exact on diagonals', () => {
    for (const n of [1, 2, 7, 40]) {
      const rng = new Rng(n);
      const b = { n, data: Float64Array.from({ length: n * n }, () => rng.normal()) };
      const bt = { n, data: Float64Array.from({ length: n * n }, (_, k) => b.data[(k % n) * n + Math.floor(k / n)]) };
      const spd = matMul(b, bt);
      const expected = [...symmetricEigen(spd).values].sort((x, y) => x - y);
      const got = [...symmetricEigenvalues(spd)].sort((x, y) => x - y);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 8));
    }
    const diag = { n: 3, data: Float64Array.from([5, 0, 0, 0, -2, 0, 0, 0, 1]) };
    expect([...symmetricEigenvalues(diag)].sort((x, y) => x - y)).toEqual([-2, 1, 5]);
  });

  it('give FID against a prepared reference the same as from scratch', () => {
    const a = gaussianOf(normals(300, 6, 1), 300, 6);
    const b = gaussianOf(normals(300, 6, 2, 0.3), 300, 6);
    expect(frechetDistanceFrom(prepareReference(a), b)).toBeCloseTo(frechetDistance(a, b), 10);
  });
});

describe('bootstrap interval', () => {
  it("of a mean is the normal-theory interval, mean ± 1.96 σ/√n, and its std the standard error", () => {
    const n = 400;
    const x = normals(n, 1, 5);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    const meanOf = (rows: Int32Array) => rows.reduce((s, r) => s + x[r], 0) / rows.length;
    const b = bootstrapInterval(n, 2000, new Rng(9), mean, meanOf);
    const se = sd / Math.sqrt(n);
    expect(b.std / se).toBeGreaterThan(0.9);
    expect(b.std / se).toBeLessThan(1.1);
    expect((mean - b.lo) / (1.96 * se)).toBeGreaterThan(0.85);
    expect((b.hi - mean) / (1.96 * se)).toBeGreaterThan(0.85);
    expect((b.hi - b.lo) / (2 * 1.96 * se)).toBeLessThan(1.15);
  });

  it("of FID covers FID's expected value at that set size in most of 30 draws, its std close to the spread of FID across draws", () => {
    // In 32-d at 500 digits FID's small-sample bias (≈ 0.6) is a third of the true 2: a percentile
    // interval of the resamples sits above the estimate and would cover this expectation in none of them.
    const dim = 32;
    const n = 500;
    const reference = prepareReference({ mean: new Float64Array(dim), cov: { n: dim, data: Float64Array.from({ length: dim * dim }, (_, k) => (k % (dim + 1) === 0 ? 1 : 0)) }, count: Infinity });
    const fidOf = (x: Float32Array, rows?: Int32Array) => frechetDistanceFrom(reference, gaussianOf(x, n, dim, rows));
    const draws = Array.from({ length: 150 }, (_, i) => fidOf(normals(n, dim, 1000 + i, 0.25)));
    const expected = draws.reduce((s, v) => s + v, 0) / draws.length;
    const spread = Math.sqrt(draws.reduce((s, v) => s + (v - expected) ** 2, 0) / (draws.length - 1));
    expect(expected - dim * 0.25 ** 2).toBeGreaterThan(0.3); // the bias (≈ 0.6 here) the interval must not be fooled by
    let covered = 0;
    const stds: number[] = [];
    for (let trial = 0; trial < 30; trial++) {
      const x = normals(n, dim, 100 + trial, 0.25);
      const b = bootstrapInterval(n, 60, new Rng(trial), fidOf(x), (rows) => fidOf(x, rows));
      if (b.lo <= expected && expected <= b.hi) covered++;
      stds.push(b.std);
    }
    expect(covered).toBeGreaterThanOrEqual(25); // nominal 95 %: 28.5 of 30
    const meanStd = stds.reduce((s, v) => s + v, 0) / stds.length;
    expect(meanStd / spread).toBeGreaterThan(0.7);
    expect(meanStd / spread).toBeLessThan(1.5);
  });

  it('refuses fewer than two resamples', () => {
    expect(() => bootstrapInterval(10, 1, new Rng(1), 0, () => 0)).toThrow(/at least 2/);
  });
});

describe('KID', () => {
  it('uses the cubic polynomial kernel (x·y/d + 1)³', () => {
    expect(Array.from(polynomialGram(f32([1, 2]), 1, f32([3, 4, 0, 0]), 2, 2))).toEqual([6.5 ** 3, 1]);
  });

  it('is the unbiased MMD² of a hand-computed case: x = {0, 1}, y = {2, 3} in 1-d gives 297.5', () => {
    // k(0,1) = 1; k(2,3) = 7³ = 343; k(x,y): 1, 1, 27, 64 → 1 + 343 − 2·93/4 = 297.5
    const x = f32([0, 1]);
    const y = f32([2, 3]);
    const gram = (a: Float32Array, b: Float32Array) => polynomialGram(a, 2, b, 2, 1);
    expect(mmdSquared(gram(x, x), 2, gram(y, y), 2, gram(x, y), [0, 1], [0, 1])).toBeCloseTo(297.5, 10);
    const kid = kernelDistance(x, 2, y, 2, 1, 2, 3, new Rng(1));
    expect(kid).toEqual({ mean: 297.5, std: 0, subsetSize: 2, subsets: 3 });
  });

  it('reads ≈ 0 for two samples of one distribution and clearly above 0 for a shifted one', () => {
    const dim = 8;
    const real = normals(400, dim, 1);
    const same = kernelDistance(normals(400, dim, 2), 400, real, 400, dim, 200, 40, new Rng(3));
    const shifted = kernelDistance(normals(400, dim, 2, 0.5), 400, real, 400, dim, 200, 40, new Rng(3));
    expect(Math.abs(same.mean)).toBeLessThan(same.std);
    expect(shifted.mean).toBeGreaterThan(5 * shifted.std);
    expect(shifted.mean).toBeGreaterThan(20 * Math.abs(same.mean));
  });
});

describe('precision, recall, density and coverage', () => {
  it('finds the k-th nearest neighbour of each point among the others (squared distances)', () => {
    const points = f32([0, 1, 3, 7]);
    const d = squaredDistances(points, 4, points, 4, 1);
    expect(Array.from(kthNeighbourRadii(d, 4, 2))).toEqual([9, 4, 9, 36]);
    expect(Array.from(kthNeighbourRadii(d, 4, 1))).toEqual([1, 1, 4, 16]);
    expect(() => kthNeighbourRadii(d, 4, 4)).toThrow(/more than 4/);
  });

  it('scores a hand-computed case: real {0…4}, generated {0.5, 10}, k = 1', () => {
    const real = f32([0, 1, 2, 3, 4]);
    const gen = f32([0.5, 10]);
    const realRadii = kthNeighbourRadii(squaredDistances(real, 5, real, 5, 1), 5, 1); // all 1
    const genRadii = kthNeighbourRadii(squaredDistances(gen, 2, gen, 2, 1), 2, 1); // both 9.5² = 90.25
    const s = manifoldScores(squaredDistances(gen, 2, real, 5, 1), 2, 5, realRadii, genRadii, 1);
    // 0.5 lies in the balls of 0 and 1, 10 in none: precision 1/2, density 2/(1·2), coverage 2/5;
    // every real point lies within 9.5 of 0.5: recall 1.
    expect(s).toEqual({ precision: 0.5, recall: 1, density: 1, coverage: 0.4, k: 1 });
  });

  it('gives a set against itself precision, recall and coverage 1, and disjoint sets 0', () => {
    const a = normals(50, 3, 1);
    const far = normals(50, 3, 2, 100);
    const radii = kthNeighbourRadii(squaredDistances(a, 50, a, 50, 3), 50, 3);
    const self = manifoldScores(squaredDistances(a, 50, a, 50, 3), 50, 50, radii, radii, 3);
    expect([self.precision, self.recall, self.coverage]).toEqual([1, 1, 1]);
    const farRadii = kthNeighbourRadii(squaredDistances(far, 50, far, 50, 3), 50, 3);
    const apart = manifoldScores(squaredDistances(far, 50, a, 50, 3), 50, 50, radii, farRadii, 3);
    expect(apart).toEqual({ precision: 0, recall: 0, density: 0, coverage: 0, k: 3 });
  });
});

describe('grey census', () => {
  const image = () => new Uint8Array(784);

  it('counts black, faint 1-32, and faint pixels with an 8-neighbour above 128', () => {
    const img = image();
    for (let y = 10; y <= 12; y++) for (let x = 10; x <= 12; x++) img[y * 28 + x] = 200;
    img[13 * 28 + 13] = 20; // diagonal to the block's corner: a rim
    img[0] = 5; // far from ink: haze
    img[20 * 28 + 20] = 33; // not faint, not black
    img[21 * 28 + 21] = 128; // not ink for the rim test: a faint pixel beside it is haze
    img[22 * 28 + 22] = 32;
    const c = greyCensus(img, 1);
    expect(c.black).toBe((784 - 9 - 5) / 784);
    expect(c.faint).toBe(3 / 784);
    expect(c.faintTouchingInk).toBe(1 / 3);
    // The block's ring: 16 pixels, the rim pixel the only one not black (128 and its neighbours are no ink).
    expect(c.blackBesideInk).toBe(15 / 16);
  });

  it('does not let a neighbour wrap across rows or leak between images', () => {
    const two = new Uint8Array(2 * 784);
    two[5 * 28 + 27] = 10; // last column of row 5 …
    two[6 * 28 + 0] = 255; // … and first column of row 6: adjacent in memory only
    two[27 * 28 + 3] = 10; // last row of image 0 …
    two[784 + 3] = 255; // … and first row of image 1
    expect(greyCensus(two, 2).faintTouchingInk).toBe(0);
    expect(greyCensus(image(), 1).faintTouchingInk).toBeNaN();
    expect(greyCensus(image(), 1).blackBesideInk).toBeNaN(); // no ink, no ring
  });

  it("reads MNIST's test digits as the issue says: ≈80.7 % black, ≈2 % faint, 99.6 % of it on rims, and about half the ring beside ink black", () => {
    const test = loadMnist('test');
    const c = greyCensus(test.images, test.count);
    expect(c.black).toBeCloseTo(0.807, 2);
    expect(c.faint).toBeGreaterThan(0.015);
    expect(c.faint).toBeLessThan(0.03);
    expect(c.faintTouchingInk).toBeCloseTo(0.996, 3);
    expect(c.blackBesideInk).toBeCloseTo(0.54, 2);
  });
});

describe('14×14 pixel space', () => {
  it('averages each 2×2 block of ink, scaled to [0, 1]', () => {
    const img = new Uint8Array(784);
    img[0] = 255; // block (0, 0): one of four pixels
    img[2 * 28 + 26] = img[2 * 28 + 27] = img[3 * 28 + 26] = img[3 * 28 + 27] = 255; // block (row 1, column 13): full
    const p = pooledPixels(img, 1);
    expect(p).toHaveLength(196);
    expect(p[0]).toBeCloseTo(0.25, 7);
    expect(p[1 * 14 + 13]).toBe(1);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1.25, 6);
  });
});
