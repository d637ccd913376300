/** The training digits' style distribution as the API draws from it (src/model/style-prior.ts). */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/model/rng';
import { completeStyle, drawStyle, quantileAt, scoreOf, styleRange, styleStatsOf, type StyleStats } from '../src/model/style-prior';
import { pearson } from '../scripts/eval/stats';
import { styleRanges } from '../scripts/train/trainer';
import generalManifest from '../weights/manifest.json';

const STATS: StyleStats = {
  slant: { p1: -0.5, p5: -0.3, p25: -0.1, p50: 0.1, p75: 0.3, p95: 0.6, p99: 0.8 },
  thickness: { p1: 1.2, p5: 1.5, p25: 2, p50: 2.4, p75: 2.9, p95: 3.8, p99: 4.7 },
  correlation: 0.6,
};

describe('style prior', () => {
  it('maps normal scores through the percentiles and back', () => {
    expect(quantileAt(STATS.slant, 0)).toBe(0.1);
    expect(quantileAt(STATS.slant, -5)).toBe(-0.5);
    expect(quantileAt(STATS.thickness, 9)).toBe(4.7);
    for (const v of [-0.45, -0.2, 0, 0.25, 0.7]) expect(quantileAt(STATS.slant, scoreOf(STATS.slant, v))).toBeCloseTo(v, 12);
  });

  it('gives a value at equal neighbouring percentiles their lowest score', () => {
    const flat = { ...STATS.thickness, p5: 2, p25: 2, p50: 2 };
    expect(scoreOf(flat, 2)).toBeCloseTo(-1.644854, 12);
    expect(scoreOf({ ...flat, p1: 2 }, 2)).toBe(-2.326348);
    expect(scoreOf(flat, 2.2)).toBeGreaterThan(0);
  });

  it('fills a missing descriptor with its conditional median', () => {
    expect(completeStyle(STATS, { slant: 0.1 })).toEqual({ slant: 0.1, thickness: 2.4 });
    // One descriptor at p99 (score 2.33): the other at score 0.6·2.33 = 1.40, between its p75 and p95.
    const { thickness } = completeStyle(STATS, { slant: 0.8 });
    expect(thickness).toBeGreaterThan(2.9);
    expect(thickness).toBeLessThan(3.8);
    expect(completeStyle({ ...STATS, correlation: 0 }, { thickness: 4.7 }).slant).toBe(0.1);
    expect(completeStyle(STATS, { slant: 0.2, thickness: 3 })).toEqual({ slant: 0.2, thickness: 3 });
  });

  it('draws styles inside p1…p99 with the recorded correlation, the same for the same stream', () => {
    const rng = new Rng(1);
    const draws = Array.from({ length: 4000 }, () => drawStyle(STATS, rng));
    for (const d of ['slant', 'thickness'] as const) {
      const [lo, hi] = styleRange(STATS, d);
      expect(draws.every((s) => s[d] >= lo && s[d] <= hi)).toBe(true);
    }
    const scores = draws.map((s) => [scoreOf(STATS.slant, s.slant), scoreOf(STATS.thickness, s.thickness)]);
    expect(pearson(scores.map(([a]) => a), scores.map(([, b]) => b))).toBeCloseTo(0.6, 1);
    const median = draws.map((s) => s.slant).sort((a, b) => a - b)[2000];
    expect(median).toBeCloseTo(0.1, 1);
    expect(drawStyle(STATS, new Rng(9))).toEqual(drawStyle(STATS, new Rng(9)));
  });

  it('measures the correlation styleRanges records from the data', () => {
    // Thickness rising with slant, plus a little jitter: a strong positive correlation.
    const rng = new Rng(3);
    const styles = new Float32Array(2000 * 2).map((_, i) => (i % 2 ? 0 : rng.normal()));
    for (let i = 0; i < 2000; i++) styles[2 * i + 1] = 2.5 + styles[2 * i] + 0.2 * rng.normal();
    const stats = styleRanges(styles);
    expect(stats.correlation).toBeGreaterThan(0.9);
    expect(stats.slant.p1).toBeLessThan(stats.slant.p50);
  });

  it('reads the served general set’s statistics, and none from a set without style inputs', () => {
    const stats = styleStatsOf(generalManifest as never)!;
    expect(stats.slant.p1).toBeLessThan(0);
    expect(stats.thickness.p99).toBeGreaterThan(stats.thickness.p1);
    expect(Math.abs(stats.correlation)).toBeLessThanOrEqual(1);
    expect(styleStatsOf({ architecture: {}, provenance: { styleOfTrainingData: STATS } })).toBeNull();
    expect(styleStatsOf({ architecture: { styleFeatures: 16 }, provenance: {} })).toBeNull();
  });
});
