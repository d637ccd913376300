/**
 * drawDigit's options, checked as GET /digit checks its query and defaulted
 * from the manifest of the same weight set, so the client and the API accept
 * the same requests and draw them alike.
 * The ranges are the API's own LIMITS (src/limits.ts, zod-free: the schemas
 * in params.ts would more than double client.js).
 */
import type { Style } from '../image/style';
import { SAMPLERS, type SamplerName } from '../model/sampler';
import { samplingAt } from '../model/sampling-defaults';
import { SERVED_SETS } from '../model/served-sets';
import { asksForStyle, completeStyle, outOfRange, styleStatsOf } from '../model/style-prior';
import { weightSetFor } from '../model/weight-sets';
import type { Manifest } from '../model/weights';
import { LIMITS } from '../limits';

export interface DrawOptions {
  /** 0-9. */
  digit: number;
  /** 0-4294967295: the same seed and parameters draw the same digit, here and on the Worker. */
  seed: number;
  /** 1-100; picks the weight set that draws (src/model/weight-sets.ts). Left out: the default request's set and its manifest's default, as for GET /digit. */
  steps?: number;
  /** Classifier-free guidance, 0-10; default from the drawing set's manifest, at these steps. */
  guidance?: number;
  /** `ddim` or `dpmpp`; default from the drawing set's manifest. */
  sampler?: SamplerName;
  /** How the digit leans (src/image/style.ts), within the range GET /model lists; needs a set with style inputs. */
  slant?: number;
  /** Mean stroke width in pixels, within the range GET /model lists. Either alone: the other is completed as GET /digit completes it. */
  thickness?: number;
}

/** What a draw used: the defaults filled in, and the style (null: none given). */
export type DrawParams = Required<Omit<DrawOptions, 'slant' | 'thickness'>> & { style: Style | null };

/** Checks what the caller gave (before anything is downloaded); throws a RangeError naming the option. */
export function checkOptions(options: DrawOptions, fn = 'drawDigit'): void {
  integer(options, 'digit', 0, 9, fn);
  checkSampling(options, fn);
}

/** The options every draw shares: seed, steps, guidance, sampler and style, checked as the API checks its query. */
export function checkSampling(options: Omit<DrawOptions, 'digit'>, fn: string): void {
  integer(options, 'seed', 0, 0xffffffff, fn);
  if (options.steps !== undefined) integer(options, 'steps', 1, LIMITS.maxSteps, fn);
  if (options.guidance !== undefined && !(Number.isFinite(options.guidance) && options.guidance >= 0 && options.guidance <= LIMITS.maxGuidance)) {
    throw refusal(fn, 'guidance', `a finite number from 0 to ${LIMITS.maxGuidance}`, options.guidance);
  }
  if (options.sampler !== undefined && !SAMPLERS.includes(options.sampler)) throw refusal(fn, 'sampler', `one of ${SAMPLERS.join(', ')}`, options.sampler);
  for (const d of ['slant', 'thickness'] as const) if (options[d] !== undefined && !Number.isFinite(options[d])) throw refusal(fn, d, 'a finite number', options[d]);
  if (!asksForStyle(options)) return;
  // The bundled manifests say which set draws and what it allows, before its weights are fetched.
  const set = weightSetFor(SERVED_SETS, options.steps, true).manifest;
  const stats = styleStatsOf(set);
  if (!stats) throw new RangeError(`${fn}: slant and thickness need a weight set with style inputs, and ${set.name}, which draws ${options.steps ?? 'the default'} steps, has none`);
  const outside = outOfRange(stats, options);
  if (outside) throw refusal(fn, outside.descriptor, `from ${outside.range[0]} to ${outside.range[1]}`, options[outside.descriptor]);
}

/** Fills what the caller left out from the sampling defaults of the set that draws it, as GET /digit does. */
export function withManifestDefaults(options: DrawOptions, manifest: Manifest): DrawParams {
  const { sampling } = manifest;
  const given = asksForStyle(options);
  const steps = options.steps ?? sampling.defaultSteps;
  return {
    digit: options.digit,
    seed: options.seed,
    steps,
    guidance: options.guidance ?? samplingAt(sampling, steps).defaultGuidance,
    sampler: options.sampler ?? sampling.defaultSampler,
    // checkOptions has checked that this set draws styles.
    style: given ? completeStyle(styleStatsOf(manifest)!, options) : null,
  };
}

function integer(options: Partial<DrawOptions>, name: 'digit' | 'seed' | 'steps', min: number, max: number, fn: string): void {
  const value = options[name];
  if (!(Number.isInteger(value) && value! >= min && value! <= max)) throw refusal(fn, name, `an integer from ${min} to ${max}`, value);
}

export function refusal(fn: string, name: string, what: string, value: unknown): RangeError {
  return new RangeError(`${fn}: ${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);
}
