/**
 * Bootstrap intervals: the statistic recomputed on resamples drawn with
 * replacement, and the estimate ± 1.96 × their standard deviation (the
 * normal bootstrap interval). Not the percentile interval: resampling with
 * repeats shrinks the effective set size, which inflates FID's small-sample
 * bias, so resampled FIDs sit above the estimate (in 128-d at 100 digits,
 * entirely above it). Their spread is still the estimate's sampling noise at
 * this set size, and that is what rows at the same size are compared with;
 * the bias itself is shared with the floor measured at the same size.
 */
import type { Rng } from '../../src/model/rng';

export interface BootstrapInterval {
  lo: number;
  hi: number;
  /** Standard deviation of the resampled statistic: the estimate's standard error. */
  std: number;
  resamples: number;
}

/** Row indices of one resample of `count` rows. */
export function resampleRows(count: number, rng: Rng): Int32Array {
  const rows = new Int32Array(count);
  for (let i = 0; i < count; i++) rows[i] = rng.int(count);
  return rows;
}

/** 95 % normal bootstrap interval of `statistic` (evaluated on row indices) around the full-set `estimate`. */
export function bootstrapInterval(count: number, resamples: number, rng: Rng, estimate: number, statistic: (rows: Int32Array) => number): BootstrapInterval {
  if (resamples < 2) throw new Error(`a bootstrap needs at least 2 resamples, got ${resamples}`);
  const values = Float64Array.from({ length: resamples }, () => statistic(resampleRows(count, rng)));
  let mean = 0;
  for (const v of values) mean += v / resamples;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2 / (resamples - 1);
  const std = Math.sqrt(variance);
  return { lo: estimate - 1.96 * std, hi: estimate + 1.96 * std, std, resamples };
}
