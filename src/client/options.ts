/**
 * drawDigit's options, checked as GET /digit checks its query and defaulted
 * from the manifest of the same weight set, so the client and the API accept
 * the same requests and draw them alike.
 * The ranges are the API's own LIMITS (src/limits.ts, zod-free: the schemas
 * in params.ts would more than double client.js).
 */
import { SAMPLERS, type SamplerName } from '../model/sampler';
import type { Manifest } from '../model/weights';
import { LIMITS } from '../limits';

export interface DrawOptions {
  /** 0-9. */
  digit: number;
  /** 0-4294967295: the same seed and parameters draw the same digit, here and on the Worker. */
  seed: number;
  /** 1-100; picks the weight set that draws (src/model/weight-sets.ts). Left out: the default request's set and its manifest's default, as for GET /digit. */
  steps?: number;
  /** Classifier-free guidance, 0-10; default from the drawing set's manifest. */
  guidance?: number;
  /** `ddim` or `dpmpp`; default from the drawing set's manifest. */
  sampler?: SamplerName;
}

export type DrawParams = Required<DrawOptions>;

/** Checks what the caller gave (before anything is downloaded); throws a RangeError naming the option. */
export function checkOptions(options: DrawOptions): void {
  integer(options, 'digit', 0, 9);
  integer(options, 'seed', 0, 0xffffffff);
  if (options.steps !== undefined) integer(options, 'steps', 1, LIMITS.maxSteps);
  if (options.guidance !== undefined && !(Number.isFinite(options.guidance) && options.guidance >= 0 && options.guidance <= LIMITS.maxGuidance)) {
    throw refusal('guidance', `a finite number from 0 to ${LIMITS.maxGuidance}`, options.guidance);
  }
  if (options.sampler !== undefined && !SAMPLERS.includes(options.sampler)) throw refusal('sampler', `one of ${SAMPLERS.join(', ')}`, options.sampler);
}

/** Fills what the caller left out from the drawing set's sampling defaults, as GET /digit does. */
export function withManifestDefaults(options: DrawOptions, sampling: Manifest['sampling']): DrawParams {
  return {
    digit: options.digit,
    seed: options.seed,
    steps: options.steps ?? sampling.defaultSteps,
    guidance: options.guidance ?? sampling.defaultGuidance,
    sampler: options.sampler ?? sampling.defaultSampler,
  };
}

function integer(options: DrawOptions, name: 'digit' | 'seed' | 'steps', min: number, max: number): void {
  const value = options[name];
  if (!(Number.isInteger(value) && value! >= min && value! <= max)) throw refusal(name, `an integer from ${min} to ${max}`, value);
}

function refusal(name: string, what: string, value: unknown): RangeError {
  return new RangeError(`drawDigit: ${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);
}
