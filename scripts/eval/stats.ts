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
  const p = successes / trials;
  const z2 = (z * z) / trials;
  const centre = (p + z2 / 2) / (1 + z2);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials))) / (1 + z2);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
