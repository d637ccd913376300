/**
 * A weight set's sampling defaults (its manifest's `sampling`, checked in
 * weights.ts) and the one place they are resolved for a run: samplingAt gives
 * the guidance a run of so many steps gets from its set, and defaultGuidanceOf and
 * defaultSamplerOf the scale and sampler of a run that names none, with a style
 * given or not. The Worker's routes
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
   * The default guidance of a run given a style (slant or thickness, a /number's hand, an
   * imitated digit), at every step count; absent: the same as a plain run's. A style costs
   * students class fidelity that a stronger scale buys back (docs/history.md §6). A
   * request's guidance is part of its cache key, so this needs no new version.
   */
  styledGuidance?: number;
  /**
   * The default sampler of a run given a style, at every step count; absent: defaultSampler.
   * A step-distilled set drawn by DPM-Solver++ runs its small-step mode (sampler.ts), which
   * keeps the class in a hand better than its distilled 4-step DDIM mode
   * (reports/style-only/bounded/RULE.md). A request's sampler is part of its cache key, so
   * this needs no new version.
   */
  styledSampler?: SamplerName;
  /**
   * This set, not the first, draws the requests given a style that name no steps, at its
   * own defaultSteps (src/model/weight-sets.ts): the default request's set may follow a
   * hand less well than a set that costs a little more. A request's steps are part of its
   * cache key, so this needs no new version either.
   */
  styledDefault?: true;
}

/** What decides a run's guidance: the part of the defaults samplingAt reads. */
export type GuidanceDefaults = Pick<SamplingDefaults, 'defaultGuidance' | 'guidanceInterval' | 'longRuns' | 'styledGuidance'>;

/** The guidance a run of some step count gets from its set. */
export interface GuidanceAt {
  /** What a request that names no guidance and gives no style gets. */
  defaultGuidance: number;
  /** What one that names no guidance but gives a style gets; absent: defaultGuidance. */
  styledGuidance?: number;
  /** Where the run's guidance, given or default, applies; absent: every step. */
  guidanceInterval?: GuidanceInterval;
}

/** The set's guidance for a run of `steps` steps: its long-run entry from fromSteps on, else its own. */
export function samplingAt(sampling: GuidanceDefaults, steps: number): GuidanceAt {
  const { longRuns, styledGuidance } = sampling;
  const { defaultGuidance, guidanceInterval } = longRuns && steps >= longRuns.fromSteps ? longRuns : sampling;
  return { defaultGuidance, ...(styledGuidance !== undefined ? { styledGuidance } : {}), ...(guidanceInterval ? { guidanceInterval } : {}) };
}

/** The sampler of a run that names none: the styled default when a style is given and the set has one. */
export function defaultSamplerOf(sampling: Pick<SamplingDefaults, 'defaultSampler' | 'styledSampler'>, styled: boolean): SamplerName {
  return (styled ? sampling.styledSampler : undefined) ?? sampling.defaultSampler;
}

/** The guidance of a run of `steps` steps that names none: the styled default when a style is given and the set has one. */
export function defaultGuidanceOf(sampling: GuidanceDefaults, steps: number, styled: boolean): number {
  const at = samplingAt(sampling, steps);
  return (styled ? at.styledGuidance : undefined) ?? at.defaultGuidance;
}
