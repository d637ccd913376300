/** Order statistics and intervals shared by eval and bench. */

/** Linear-interpolated percentile (p in [0, 100]) of `values`; NaN for an empty list. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (values: ArrayLike<number>): number => percentile(values, 50);

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Wilson score interval (95 % at z = 1.96) for a share of `successes` in
 * `trials`: unlike p ± z·SE it stays inside [0, 1] near 100 %, where accuracy lives.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): [number, number] {
  if (!(trials > 0)) throw new Error(`an interval needs at least one trial, got ${trials}`);
  const p = successes / trials;
  const zzOverN = (z * z) / trials;
  const centre = (p + zzOverN / 2) / (1 + zzOverN);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + zzOverN / (4 * trials))) / (1 + zzOverN);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** "98.3% (97.9-98.7)": a share and its interval, in percent. */
export function percentWithInterval(share: number, [lo, hi]: [number, number], digits = 1): string {
  return `${(100 * share).toFixed(digits)}% (${(100 * lo).toFixed(digits)}-${(100 * hi).toFixed(digits)})`;
}

/** Pearson's correlation of two equally long series; 0 when either is constant. */
export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}
