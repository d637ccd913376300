/**
 * A weight set's sampling defaults (its manifest's `sampling`, checked in
 * weights.ts) and the one place they are resolved for a run: samplingAt gives
 * the guidance a run of so many steps gets from its set. A request in a hand
 * gets the defaults of the set that draws it (sampling.hand). The Worker's routes
 * (params.ts), the sampler (the interval), the browser client, GET /model's
 * docs and the offline tools all ask it, so they draw and label alike.
 */
import type { GuidanceInterval, SamplerName } from './sampler';

/**
 * Other guidance for runs of `fromSteps` steps or more: at 10 steps a stronger
 * scale in a band of noise levels is more real, while the same band hurts
 * 3-4 step runs. It replaces the set's defaultGuidance and guidanceInterval
 * there, both: without its own interval a long run is guided at every step.
 */
export interface LongRuns {
  /** The first step count it applies to; above the set's defaultSteps, so the default request keeps the set's own. */
  fromSteps: number;
  defaultGuidance: number;
  guidanceInterval?: GuidanceInterval;
}

export interface SamplingDefaults {
  defaultSteps: number;
  defaultGuidance: number;
  defaultSampler: SamplerName;
  /** Served only for requests of at most this many steps; absent: any count. */
  maxSteps?: number;
  /**
   * Guide only at these noise levels (src/model/sampler.ts), at every request's
   * guidance; absent: at every step. It changes the bytes a set draws, so
   * `npm run set-sampling` gives the set a new version when it changes.
   */
  guidanceInterval?: GuidanceInterval;
  /** Runs of at least longRuns.fromSteps steps use its guidance and interval instead; re-versioned as the interval is. */
  longRuns?: LongRuns;
  /**
   * This set draws every request given a style, at any step count, and no plain one
   * (src/model/weight-sets.ts): a set wide enough to follow a hand, which the plain sets
   * cannot learn without losing realism (reports/hand/RULE.md). Its own defaults are then
   * a hand's defaults.
   */
  hand?: true;
}

/** What decides a run's guidance: the part of the defaults samplingAt reads. */
export type GuidanceDefaults = Pick<SamplingDefaults, 'defaultGuidance' | 'guidanceInterval' | 'longRuns'>;

/** The guidance a run of some step count gets from its set. */
export interface GuidanceAt {
  /** What a request that names no guidance gets. */
  defaultGuidance: number;
  /** Where the run's guidance, given or default, applies; absent: every step. */
  guidanceInterval?: GuidanceInterval;
}

/** The set's guidance for a run of `steps` steps: its long-run entry from fromSteps on, else its own. */
export function samplingAt(sampling: GuidanceDefaults, steps: number): GuidanceAt {
  const { longRuns } = sampling;
  const { defaultGuidance, guidanceInterval } = longRuns && steps >= longRuns.fromSteps ? longRuns : sampling;
  return { defaultGuidance, ...(guidanceInterval ? { guidanceInterval } : {}) };
}
