/** The measuring code of `npm run eval` on inputs whose answers are known. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/model/rng';
import { classSpread, meanPairwiseDistance } from '../scripts/eval/diversity';
import { backgroundShare, networkCallsPerDigit } from '../scripts/eval/evaluate';
import { restyleTargets } from '../scripts/eval/restyle';
import { DEFAULT_UNET } from '../src/model/unet';
import { frechetDistance, gaussianOf, type Gaussian } from '../scripts/eval/fid';
import { matMul, sqrtPsd, symmetricEigen, type Matrix } from '../scripts/eval/linalg';
import { NearestNeighbourIndex } from '../scripts/eval/nearest';
import { median, percentile, percentWithInterval, wilsonInterval } from '../scripts/eval/stats';
import { useWasm } from './helpers/node-backend';

const matrix = (rows: number[][]): Matrix => ({ n: rows.length, data: Float64Array.from(rows.flat()) });
const gaussian = (mean: number[], cov: number[][]): Gaussian => ({ mean: Float64Array.from(mean), cov: matrix(cov), count: 1000 });

/** n points of width dim from N(shift, diag(scale²)). */
function samples(n: number, dim: number, seed: number, shift = 0, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * dim }, (_, i) => shift + scale * rng.normal() * (1 + (i % dim) / dim));
}

describe('FID', () => {
  it('is ≈ 0 for a set against itself', () => {
    const dim = 32;
    const feats = samples(400, dim, 1);
    const g = gaussianOf(feats, 400, dim);
    expect(frechetDistance(g, g)).toBeLessThan(1e-8);
  });

  it('matches the closed form for diagonal covariances: |Δμ|² + Σ(σ₁ − σ₂)²', () => {
    const p = gaussian([0, 1, 2], [[4, 0, 0], [0, 1, 0], [0, 0, 9]]);
    const q = gaussian([1, 1, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    // |Δμ|² = 1 + 0 + 4 = 5; σ: (2,1,3) vs (1,1,1) → 1 + 0 + 4 = 5
    expect(frechetDistance(p, q)).toBeCloseTo(10, 9);
    expect(frechetDistance(q, p)).toBeCloseTo(10, 9);
  });

  it('matches the 2-d closed form for covariances that do not commute', () => {
    // For 2×2 M with non-negative eigenvalues, tr √M = √(tr M + 2√det M).
    const s1 = [[2, 1], [1, 3]];
    const s2 = [[1, -0.5], [-0.5, 2]];
    const prodTrace = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
    const det = (m: number[][]) => m[0][0] * m[1][1] - m[0][1] * m[1][0];
    const expected = (0.5 ** 2 + 2 ** 2) + (2 + 3) + (1 + 2) - 2 * Math.sqrt(prodTrace + 2 * Math.sqrt(det(s1) * det(s2)));
    expect(frechetDistance(gaussian([0, 0], s1), gaussian([0.5, -2], s2))).toBeCloseTo(expected, 9);
  });

  it('sees a mean shift of samples as ≈ |shift|², and two draws of one distribution as ≈ 0', () => {
    const dim = 8;
    const a = gaussianOf(samples(4000, dim, 2), 4000, dim);
    const b = gaussianOf(samples(4000, dim, 3), 4000, dim);
    const shifted = gaussianOf(samples(4000, dim, 3, 0.5), 4000, dim);
    expect(frechetDistance(a, b)).toBeLessThan(0.05);
    expect(frechetDistance(a, shifted)).toBeCloseTo(dim * 0.25, 0);
  });

  it('estimates mean and unbiased covariance', () => {
    const g = gaussianOf(Float32Array.from([1, 2, 3, 6, 5, 4]), 3, 2); // rows (1,2), (3,6), (5,4)
    expect(Array.from(g.mean)).toEqual([3, 4]);
    // centred: (-2,-2), (0,2), (2,0) → Σ = [[8, 4], [4, 8]] / 2
    expect(Array.from(g.cov.data)).toEqual([4, 2, 2, 4]);
  });
});

describe('symmetric eigen-decomposition and square root', () => {
  const rng = new Rng(9);
  const n = 20;
  const b = matrix(Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal())));
  const bt = matrix(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => b.data[j * n + i])));
  const spd = matMul(b, bt); // B·Bᵀ: symmetric positive semi-definite

  it('reconstructs the matrix from its eigenvalues and eigenvectors', () => {
    const { values, vectors } = symmetricEigen(spd);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += vectors.data[i * n + k] * values[k] * vectors.data[j * n + k];
        expect(v).toBeCloseTo(spd.data[i * n + j], 8);
      }
    }
  });

  it('gives a square root that squares back', () => {
    const root = sqrtPsd(spd);
    const back = matMul(root, root);
    back.data.forEach((v, i) => expect(v).toBeCloseTo(spd.data[i], 8));
  });
});

describe('within-class diversity', () => {
  it('averages the distance over distinct pairs', () => {
    const feats = Float32Array.from([0, 0, 3, 4, 0, 0]); // pairs: 5, 0, 5
    expect(meanPairwiseDistance(feats, 2, [0, 1, 2])).toBeCloseTo(10 / 3, 12);
    expect(classSpread(feats, 2, [1, 1, 0], 2)).toEqual([NaN, 5]);
  });
});

describe('nearest training digit', () => {
  beforeAll(useWasm);

  it('finds exact copies at distance 0 and agrees with brute force', async () => {
    const rng = new Rng(4);
    const count = 2500;
    const train = Uint8Array.from({ length: count * 784 }, () => rng.int(256));
    const index = new NearestNeighbourIndex(train, count, 1000); // several chunks
    const queries = new Uint8Array(4 * 784);
    queries.set(train.subarray(1234 * 784, 1235 * 784), 0); // a copy
    queries.set(train.subarray(2499 * 784, 2500 * 784), 784); // a copy in the last chunk
    for (let i = 2 * 784; i < queries.length; i++) queries[i] = rng.int(256);
    const { distance, index: found } = await index.nearest(queries, 4, 3);
    index.dispose();
    expect([distance[0], distance[1]]).toEqual([0, 0]);
    expect([found[0], found[1]]).toEqual([1234, 2499]);
    for (const q of [2, 3]) {
      let best = Infinity;
      let bestIndex = -1;
      for (let j = 0; j < count; j++) {
        let d = 0;
        for (let k = 0; k < 784; k++) d += ((queries[q * 784 + k] - train[j * 784 + k]) / 255) ** 2;
        if (d < best) [best, bestIndex] = [d, j];
      }
      expect(found[q]).toBe(bestIndex);
      expect(distance[q]).toBeCloseTo(Math.sqrt(best), 9);
    }
  });
});

describe('percentiles', () => {
  it('interpolates linearly between order statistics', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([0, 10], 25)).toBe(2.5);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('accuracy interval', () => {
  it('is the Wilson score interval (textbook values: 8 of 10, 0 of 10, 10 of 10)', () => {
    const [lo, hi] = wilsonInterval(8, 10);
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(0, 10)[1]).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(wilsonInterval(10, 10)[0]).toBeCloseTo(0.7225, 4);
  });

  it('narrows with more digits, and sits lower than the plain p ± 1.96·SE near 100 %', () => {
    const width = (n: number) => wilsonInterval(0.99 * n, n).reduce((lo, hi) => hi - lo);
    expect(width(1000) / 2).toBeCloseTo(0.0063, 3);
    expect(width(5000) / 2).toBeCloseTo(0.0028, 3);
    // 990 of 1000: Wilson 0.9817-0.9946; the plain interval would be 0.9838-0.9962.
    expect(wilsonInterval(990, 1000)[0]).toBeCloseTo(0.9817, 4);
    expect(wilsonInterval(990, 1000)[1]).toBeCloseTo(0.9946, 4);
    expect(percentWithInterval(0.9834, wilsonInterval(4917, 5000))).toBe('98.3% (97.9-98.7)');
    expect(() => wilsonInterval(0, 0)).toThrow(/at least one trial/);
  });
});

describe('background share', () => {
  it('counts exactly-0 pixels only: a haze of 1/255 is not background', () => {
    expect(backgroundShare(Uint8Array.from([0, 0, 0, 1, 255, 8, 0, 0]))).toBe(5 / 8);
    expect(backgroundShare(new Uint8Array(784))).toBe(1);
    expect(backgroundShare(new Uint8Array(784).fill(1))).toBe(0);
  });
});

describe('network calls per digit', () => {
  const student = { ...DEFAULT_UNET, channels: [8, 16, 32] as [number, number, number], guidanceFeatures: 8 };

  it('costs a classifier-free-guidance model two rows per guided step, one at guidance 0 or 1', () => {
    expect([0, 1, 2, 4].map((g) => networkCallsPerDigit(DEFAULT_UNET, 10, g))).toEqual([10, 10, 20, 20]);
  });

  it('costs a guidance-distilled student one row per step at any guidance', () => {
    expect([0, 1, 2, 4].map((g) => networkCallsPerDigit(student, 10, g))).toEqual([10, 10, 10, 10]);
  });
});

describe('restyle targets', () => {
  it('never asks for the source class, and gives each class every other class equally often', () => {
    const labels = Uint8Array.from({ length: 90 }, (_, i) => Math.floor(i / 9));
    const targets = restyleTargets(labels);
    expect(targets.every((t, i) => t !== labels[i] && t < 10)).toBe(true);
    for (let c = 0; c < 10; c++) {
      const mine = [...targets.filter((_, i) => labels[i] === c)].sort();
      expect(mine).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((t) => t !== c));
    }
  });
});
