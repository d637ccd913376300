import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/model/rng';
import { GoldenFile } from './helpers/golden';

const STREAMS = new GoldenFile(
  'test/fixtures/golden-normals.json',
  'Rng(seed).normal(): the first 32 values as the hex of their float64 bits, and the sha256 of the float32 bytes of the first normals(784) (one image\'s starting noise). ' +
    'Every engine must draw exactly these (src/model/rng.ts uses only exactly rounded operations). A change here changes every seeded image: update on purpose only (test/helpers/golden.ts).',
);
afterAll(() => STREAMS.save());

describe('Rng', () => {
  it('gives the same stream for the same seed, on every platform (golden values)', () => {
    const rng = new Rng(42);
    const ints = Array.from({ length: 4 }, () => rng.nextUint32());
    // Recorded once; a change here means every seeded image changes too.
    expect(ints).toEqual(GOLDEN_42);
    expect(new Rng(42).normals(3)).toEqual(new Rng(42).normals(3));
  });

  it.each([0, 1, 42, 2024, 4294967295])('seed %i draws the stored normals, bit for bit', (seed) => {
    const rng = new Rng(seed);
    const first = Array.from({ length: 32 }, () => {
      const bits = Buffer.alloc(8);
      bits.writeDoubleBE(rng.normal());
      return bits.toString('hex');
    });
    const image = new Rng(seed).normals(784);
    STREAMS.check(`seed ${seed}`, { float64: first, float32Sha256: createHash('sha256').update(new Uint8Array(image.buffer)).digest('hex') });
  });

  it('gives different streams for different seeds', () => {
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it('produces standard normals', () => {
    const stats = normalityStats(new Rng(7).normals(200_000));
    expect(Math.abs(stats.mean)).toBeLessThan(0.01);
    expect(Math.abs(stats.variance - 1)).toBeLessThan(0.01);
    expect(stats.ks).toBeLessThan(KS_CRITICAL_0_001(200_000));
    expect(Math.abs(stats.skewness)).toBeLessThan(0.03);
    expect(Math.abs(stats.excessKurtosis)).toBeLessThan(0.06);
  });

  it('has normal tails and no correlation between the two values of a pair', () => {
    const n = 1_000_000;
    const z = new Rng(11).normals(n);
    // |z| > k: expected count n·2(1 − Φ(k)), within 5 binomial standard deviations.
    for (const [k, p] of [[2, 0.0455003], [3, 0.0026998], [4, 6.3342e-5]] as const) {
      const count = z.filter((v) => Math.abs(v) > k).length;
      expect(Math.abs(count - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
    // 32-bit uniforms bound the polar method's reach (s ≥ 2^-62: |z| < 9.3); a million draws reach past 4.5.
    const largest = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeGreaterThan(4.5);
    expect(largest).toBeLessThan(9.3);
    let pairs = 0;
    for (let i = 0; i < n; i += 2) pairs += z[i] * z[i + 1];
    expect(Math.abs(pairs / (n / 2))).toBeLessThan(5 / Math.sqrt(n / 2));
  });

  it('the normality checks reject a uniform with the same mean and variance', () => {
    const rng = new Rng(7);
    const u = Float64Array.from({ length: 200_000 }, () => (2 * rng.uniform() - 1) * Math.sqrt(3));
    const stats = normalityStats(u);
    // Mean and variance alone cannot tell it apart...
    expect(Math.abs(stats.mean)).toBeLessThan(0.01);
    expect(Math.abs(stats.variance - 1)).toBeLessThan(0.01);
    // ...the shape can: D ≈ 0.06 (limit 0.0044) and excess kurtosis −1.2.
    expect(stats.ks).toBeGreaterThan(KS_CRITICAL_0_001(200_000));
    expect(Math.abs(stats.excessKurtosis)).toBeGreaterThan(0.06);
  });

  it('resumes a stream from its saved state', () => {
    const a = new Rng(9);
    a.normals(5);
    const b = Rng.fromState(a.state());
    expect(Array.from(b.normals(7))).toEqual(Array.from(a.normals(7)));
  });

  it('permutes without losing or repeating indices', () => {
    const p = Array.from(new Rng(3).permutation(1000));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

const GOLDEN_42 = [2837322924,544945897,479756282,3500138142];

/** Kolmogorov-Smirnov critical value for n samples at significance 0.001 (large-n asymptote 1.949/√n). */
const KS_CRITICAL_0_001 = (n: number) => 1.949 / Math.sqrt(n);

/** Moments, and the Kolmogorov-Smirnov distance sup |F_n(x) − Φ(x)| to the standard normal CDF. */
function normalityStats(z: ArrayLike<number>) {
  const n = z.length;
  const sorted = Float64Array.from(z).sort();
  let mean = 0;
  for (const v of sorted) mean += v / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i] - mean;
    m2 += d ** 2 / n;
    m3 += d ** 3 / n;
    m4 += d ** 4 / n;
    const cdf = normalCdf(sorted[i]);
    ks = Math.max(ks, (i + 1) / n - cdf, cdf - i / n);
  }
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, excessKurtosis: m4 / m2 ** 2 - 3, ks };
}

/** Φ(x) through erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: far below the KS tolerance). */
function normalCdf(x: number): number {
  const y = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * y);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-y * y);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
