/**
 * Per-digit latency as a request sees it: one digit per call (the Worker
 * draws one image per request) through drawDigits, fresh seed every time,
 * plus the PNG encode the route adds. Achieved GFLOP/s counts only the
 * network's convolutions and dense layers (flopsPerImage), so it is a lower
 * bound on the arithmetic the backend really did.
 *
 * Several settings, of several models, are timed round-robin (rep 1 of
 * each, then rep 2 of each, …): a burst of other work on the machine then
 * slows every setting a little instead of one setting a lot (timed in
 * blocks, one setting came out 50% slower per step than its neighbours here),
 * so the teacher and its students are compared under the same conditions.
 */
import { encodePng } from '../../src/image/png';
import { drawDigits } from '../../src/model/generate';
import type { Model, SamplerName } from '../../src/model/sampler';
import { flopsPerImage } from '../../src/model/unet';
import { networkCallsPerDigit } from '../eval/evaluate';
import { timeRepeated, timeRoundRobin, type Timing, type TimingOptions } from './timing';

export interface GenerationTiming extends Timing {
  /** The --models name. */
  model: string;
  steps: number;
  guidance: number;
  sampler: SamplerName;
  networkCalls: number;
  gflops: number;
}

export interface DigitSetting {
  steps: number;
  guidance: number;
  sampler: SamplerName;
}

/** One setting of one named model. */
export interface TimedSetting extends DigitSetting {
  model: string;
  weights: Model;
}

const drawOne = (model: Model, cfg: DigitSetting, rep: number) =>
  drawDigits(model, { digits: [((rep % 10) + 10) % 10], seeds: [1_000_000 + rep], steps: cfg.steps, guidance: cfg.guidance, sampler: cfg.sampler });

/** Times every setting round-robin: `warmup` untimed rounds, then up to `reps` timed rounds (at least one) within `maxSeconds`. */
export async function timeDigits(settings: TimedSetting[], opts: TimingOptions): Promise<GenerationTiming[]> {
  const timings = await timeRoundRobin(settings.map((cfg) => (rep: number) => drawOne(cfg.weights, cfg, rep)), opts);
  return settings.map(({ weights, ...cfg }, k) => {
    const timing = timings[k];
    const networkCalls = networkCallsPerDigit(weights.unet, cfg.steps, cfg.guidance);
    return { ...cfg, ...timing, networkCalls, gflops: (networkCalls * flopsPerImage(weights.unet)) / (timing.medianMs * 1e6) };
  });
}

/**
 * The first run of a request in an isolate: the same draw with the weight set's
 * conditioning cache cold (src/model/conditioning-cache.ts; the cache is per
 * parameters object, so a shallow copy of the parameters starts an empty one),
 * timed round-robin with a warm draw of the same setting.
 */
export async function timeFirstRun(setting: TimedSetting, opts: TimingOptions): Promise<{ cold: Timing; warm: Timing }> {
  const uncached = () => ({ ...setting.weights, params: { ...setting.weights.params } });
  const [warm, cold] = await timeRoundRobin([(rep) => drawOne(setting.weights, setting, rep), (rep) => drawOne(uncached(), setting, rep)], opts);
  return { cold, warm };
}

/** The route's PNG encode of a 28×28 digit. */
export async function timePngEncode(model: Model, opts: TimingOptions): Promise<Timing> {
  const [image] = await drawDigits(model, { digits: [3], seeds: [7], steps: 4, guidance: 2, sampler: 'dpmpp' });
  return timeRepeated(() => encodePng(image), opts);
}
