/**
 * The noise schedule: how much signal survives at each of T discrete timesteps.
 *
 * Cosine schedule (Nichol & Dhariwal 2021): alphaBar(t) = cos²((t/T + s)/(1 + s) · π/2),
 * normalised so alphaBar(0) = 1 and clipped away from exactly 0 at t = T so that
 * every timestep keeps a finite signal-to-noise ratio.
 * The network predicts v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans & Ho 2022), which stays
 * well conditioned at both ends of the schedule and suits few-step samplers.
 */
import { cosQuarterTurn } from './portable-math';

export interface ScheduleConfig {
  kind: 'cosine';
  timesteps: number;
  /** The cosine schedule's offset s. */
  offset: number;
  prediction: 'v';
}

export const DEFAULT_SCHEDULE: ScheduleConfig = { kind: 'cosine', timesteps: 1000, offset: 0.008, prediction: 'v' };

const MIN_ALPHA_BAR = 1e-5;

export class NoiseSchedule {
  readonly timesteps: number;
  /** alphaBar[t] for t = 0..T-1: the share of signal variance left after t+1 noising steps. */
  readonly alphaBar: Float64Array;

  constructor(readonly config: ScheduleConfig) {
    if (config.kind !== 'cosine' || config.prediction !== 'v') {
      throw new Error(`unsupported schedule ${config.kind}/${config.prediction}`);
    }
    const T = config.timesteps;
    const s = config.offset;
    // cos of our own (portable-math.ts) and c·c, not Math.cos and **: the browser
    // client makes the schedule too, and every engine must get the same bits.
    const f = (t: number) => {
      const c = cosQuarterTurn((t / T + s) / (1 + s));
      return c * c;
    };
    this.timesteps = T;
    this.alphaBar = new Float64Array(T);
    for (let t = 0; t < T; t++) this.alphaBar[t] = Math.max(f(t + 1) / f(0), MIN_ALPHA_BAR);
  }

  /** √ᾱ and √(1−ᾱ) at timestep t: the mixing weights of signal and noise. */
  mix(t: number): { signal: number; noise: number } {
    const ab = this.alphaBar[t];
    return { signal: Math.sqrt(ab), noise: Math.sqrt(1 - ab) };
  }

  /**
   * `steps` timesteps evenly spaced from T-1 down to 0 ("trailing" spacing, so the
   * first step always starts from pure noise whatever the step count).
   */
  samplingTimesteps(steps: number): number[] {
    const T = this.timesteps;
    const out: number[] = [];
    for (let i = 0; i < steps; i++) out.push(Math.round(T - 1 - (i * T) / steps));
    return out;
  }
}
