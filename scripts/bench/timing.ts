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
  /** Stop early once this much time has been spent measuring (warm-up included). */
  maxSeconds: number;
}

/** Runs `fn` warmup times untimed, then up to `reps` timed times; `rep` is the repetition index (fresh seeds). */
export async function timeRepeated(fn: (rep: number) => unknown, opts: TimingOptions): Promise<Timing> {
  const deadline = performance.now() + opts.maxSeconds * 1000;
  for (let i = 0; i < opts.warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let rep = 0; rep < opts.reps && (rep === 0 || performance.now() < deadline); rep++) {
    const t0 = performance.now();
    await fn(rep);
    samples.push(performance.now() - t0);
  }
  return timingOf(samples);
}

/** The median and spread of timed samples, in ms. */
export function timingOf(samples: number[]): Timing {
  return { reps: samples.length, medianMs: median(samples), p10Ms: percentile(samples, 10), p90Ms: percentile(samples, 90) };
}
