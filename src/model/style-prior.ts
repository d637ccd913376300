/**
 * What the training digits' styles look like (src/image/style.ts: slant and
 * thickness), as a weight set's manifest records them under
 * provenance.styleOfTrainingData: each descriptor's percentiles p1…p99, and
 * the correlation of the two.
 *
 * The two are modelled jointly as a Gaussian copula: each descriptor's value
 * is its quantile function (piecewise linear through the percentiles) of a
 * standard normal score, and the two scores are normal with correlation
 * `correlation`. That keeps each marginal exactly as measured (MNIST's
 * thickness is skewed: p50 2.39, p99 4.71) and the dependence between them,
 * with three numbers more than the percentiles. The API's range of a
 * descriptor is p1…p99, so draws are kept inside it.
 */
import type { Style } from '../image/style';
import type { Rng } from './rng';

export type Descriptor = keyof Style;
export const DESCRIPTORS: readonly Descriptor[] = ['slant', 'thickness'];

/** The standard normal score of each recorded percentile: Φ⁻¹(p/100). */
const SCORES = { p1: -2.326348, p5: -1.644854, p25: -0.67449, p50: 0, p75: 0.67449, p95: 1.644854, p99: 2.326348 } as const;
export type Percentile = keyof typeof SCORES;
const PERCENTILES = Object.keys(SCORES) as Percentile[];

export interface StyleStats {
  slant: Record<Percentile, number>;
  thickness: Record<Percentile, number>;
  /** Correlation of the two descriptors' normal scores (styleScores) over the training digits. */
  correlation: number;
}

/** What each descriptor means and its unit, for GET /model and the docs. */
export const DESCRIPTOR_MEANING: Record<Descriptor, { meaning: string; unit: string }> = {
  slant: { meaning: 'horizontal shear of the ink, from its second moments as in MNIST deskewing: positive leans right (/), negative left (\\)', unit: 'pixels of x per pixel of height' },
  thickness: { meaning: 'mean stroke width: ink area over stroke (skeleton) length', unit: 'pixels at 28×28' },
};

/** Whether a request names a slant or a thickness: it is then drawn in a hand, and routed as such (weightSetFor). */
export function asksForStyle(given: Partial<Style>): boolean {
  return given.slant !== undefined || given.thickness !== undefined;
}

/**
 * The set's style statistics, or null when it cannot draw styles: no style
 * inputs, or no recorded statistics to check a request against.
 */
export function styleStatsOf(manifest: { architecture: { styleFeatures?: number }; provenance: Record<string, unknown> }): StyleStats | null {
  if (!manifest.architecture.styleFeatures) return null;
  const stats = manifest.provenance.styleOfTrainingData as Partial<StyleStats> | undefined;
  const complete = (p: unknown) => typeof p === 'object' && p !== null && PERCENTILES.every((k) => Number.isFinite((p as Record<string, unknown>)[k]));
  if (!stats || !complete(stats.slant) || !complete(stats.thickness) || !Number.isFinite(stats.correlation)) return null;
  return stats as StyleStats;
}

/** The values a request may ask for: the training digits' p1…p99. */
export function styleRange(stats: StyleStats, d: Descriptor): [number, number] {
  return [stats[d].p1, stats[d].p99];
}

/** The first descriptor `given` asks for outside p1…p99, with that range; null when none is. */
export function outOfRange(stats: StyleStats, given: Partial<Style>): { descriptor: Descriptor; range: [number, number] } | null {
  for (const d of DESCRIPTORS) {
    const range = styleRange(stats, d);
    const asked = given[d];
    if (asked !== undefined && (asked < range[0] || asked > range[1])) return { descriptor: d, range };
  }
  return null;
}

/** Values at p1…p99: a descriptor's recorded percentiles, or SCORES. */
type Knots = Readonly<Record<Percentile, number>>;

/**
 * The curve through the points (xs[k], ys[k]), k = p1…p99, at x: linear between
 * neighbouring points, flat at ys.p1 below xs.p1 and at ys.p99 above xs.p99.
 * quantileAt and scoreOf are this curve read one way and the other.
 */
function throughPercentiles(xs: Knots, ys: Knots, x: number): number {
  if (x <= xs.p1) return ys.p1;
  for (let i = 1; i < PERCENTILES.length; i++) {
    const hi = PERCENTILES[i];
    if (x <= xs[hi]) {
      // Reaching point i means x > xs[lo], so xs[hi] > xs[lo]: equal neighbouring percentiles never
      // divide by zero, and a value at such a flat stretch gets the stretch's first (lowest) score.
      const lo = PERCENTILES[i - 1];
      return ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / (xs[hi] - xs[lo]);
    }
  }
  return ys.p99;
}

/** The value at normal score z (clamped to p1…p99), linear between the recorded percentiles. */
export function quantileAt(p: Record<Percentile, number>, z: number): number {
  return throughPercentiles(SCORES, p, z);
}

/** The inverse of quantileAt: a value's normal score, clamped to p1…p99's. */
export function scoreOf(p: Record<Percentile, number>, value: number): number {
  return throughPercentiles(p, SCORES, value);
}

/** Three decimals: what a drawn or measured style is rounded to, so its header, given back as a query, draws the same. */
export function roundStyle(style: Style): Style {
  return { slant: +style.slant.toFixed(3), thickness: +style.thickness.toFixed(3) };
}

/**
 * A style with one descriptor given: the other is its median given that one
 * (the copula's conditional median, score ρ·z), the most typical value in the
 * training digits for it, rounded. Not a random draw: a /digit request with one
 * descriptor then draws the same with or without its seed's other uses, and
 * not the plain median either, which ignores how the two go together.
 */
export function completeStyle(stats: StyleStats, given: Partial<Style>): Style {
  if (given.slant !== undefined && given.thickness !== undefined) return { slant: given.slant, thickness: given.thickness };
  const [known, other]: Descriptor[] = given.slant !== undefined ? ['slant', 'thickness'] : ['thickness', 'slant'];
  const value = given[known]!;
  const filled = +quantileAt(stats[other], stats.correlation * scoreOf(stats[known], value)).toFixed(3);
  return known === 'slant' ? { slant: value, thickness: filled } : { slant: filled, thickness: value };
}

/** One style drawn from the training digits' joint distribution, inside p1…p99, rounded. Takes two normals from `rng`. */
export function drawStyle(stats: StyleStats, rng: Rng): Style {
  const a = rng.normal();
  const b = rng.normal();
  const rho = stats.correlation;
  const zThickness = rho * a + Math.sqrt(1 - rho * rho) * b;
  return roundStyle({ slant: quantileAt(stats.slant, a), thickness: quantileAt(stats.thickness, zThickness) });
}

/** Per digit, its (slant, thickness) normal scores: what styleRanges correlates over the training set. */
export function styleScores(stats: Pick<StyleStats, Descriptor>, style: Style): [number, number] {
  return [scoreOf(stats.slant, style.slant), scoreOf(stats.thickness, style.thickness)];
}

/** The style moved into the range a request may ask for (p1…p99 of each descriptor). */
export function clampStyle(stats: StyleStats, style: Style): Style {
  const clamp = (d: Descriptor) => Math.min(Math.max(style[d], stats[d].p1), stats[d].p99);
  return { slant: clamp('slant'), thickness: clamp('thickness') };
}
