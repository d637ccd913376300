/** Repeat-and-take-the-median timing, bounded in count and in time. */
import { median, percentile } from '../eval/stats';

export interface Timing {
  reps: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
}

export interface TimingOptions {
  warmup: number;
  /** Repetitions to take at least (unless maxSeconds runs out first). */
  reps: number;
  /** Stop early once the timed repetitions have taken this long (warm-up not counted; one round is always timed). */
  maxSeconds: number;
}

/** Runs `fn` warmup times untimed, then up to `reps` timed times; `rep` is the repetition index (fresh seeds). */
export async function timeRepeated(fn: (rep: number) => unknown, opts: TimingOptions): Promise<Timing> {
  const [timing] = await timeRoundRobin([fn], opts);
  return timing;
}

/**
 * Times several functions in turn within each round, so that all of them see the same
 * machine (timed in blocks of their own, a small difference drowns in the machine's
 * drift): `warmup` untimed rounds, then up to `reps` timed rounds within `maxSeconds`.
 * `rep` is the round's index, negative in warm-up (fresh seeds).
 */
export async function timeRoundRobin(fns: ((rep: number) => unknown)[], opts: TimingOptions): Promise<Timing[]> {
  for (let i = 0; i < opts.warmup; i++) for (const fn of fns) await fn(-1 - i);
  const samples = fns.map(() => [] as number[]);
  const deadline = performance.now() + opts.maxSeconds * 1000;
  for (let rep = 0; rep < opts.reps && (rep === 0 || performance.now() < deadline); rep++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn(rep);
      samples[k].push(performance.now() - t0);
    }
  }
  return samples.map(timingOf);
}

/** The median and spread of timed samples, in ms. */
function timingOf(samples: number[]): Timing {
  return { reps: samples.length, medianMs: median(samples), p10Ms: percentile(samples, 10), p90Ms: percentile(samples, 90) };
}
