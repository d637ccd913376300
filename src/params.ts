/**
 * Query validation at the edge of the app: nothing reaches the model unchecked.
 * Each route declares its parameters once; unknown and repeated parameters are
 * errors (so two spellings of one request cannot hide from the cache).
 */
import { ApiError } from './errors';
import type { Rect } from './image/mask';
import { SAMPLERS, type SamplerName } from './model/sampler';
import { estimateSheetMs } from './model/sheet';

export const LIMITS = {
  /**
   * Upper bound on `steps`. One guided step costs ≈3.8 ms of CPU here
   * (`npm run bench`), so 100 steps ≈ 0.4 s: far inside the paid plan's default
   * 30 s CPU limit, with room for the largest PNG encode.
   */
  maxSteps: 100,
  maxGuidance: 10,
  minSize: 28,
  maxSize: 1024,
  /**
   * RePaint repeats each step; steps × resample is bounded by maxSteps, so an
   * inpaint costs at most what the costliest digit does.
   */
  maxResample: 10,
  /**
   * An animation holds every frame as RGBA while upng-js encodes it: size² ×
   * steps ≤ 2 Mpx keeps that near 8 MiB (the isolate has 128 MB) and the
   * encode near a second (measured: 10 frames of 640² took 1.1 s, 100 of 200² 1.9 s).
   */
  maxAnimationPixels: 2 ** 21,
  /** A sheet is at most 10 rows (digits) × 16 columns (seeds) of cells up to 128 px: ≤ 2048×1280. */
  maxSheetDigits: 10,
  maxSheetSeeds: 16,
  maxSheetCell: 128,
  /**
   * Estimated model CPU per sheet (model/sheet.ts's measured cost per network
   * call). A third of the paid plan's default 30 s CPU limit, leaving room for
   * slower hosts and the PNG encode (≤ 0.4 s at the largest sheet).
   */
  sheetBudgetMs: 10_000,
} as const;

/** The manifest's sampling defaults. */
export interface Defaults {
  defaultSteps: number;
  defaultGuidance: number;
  defaultSampler: SamplerName;
}

export interface GenerationParams {
  steps: number;
  /** null when the client gave none: the route draws one and reports it in X-Seed. */
  seed: number | null;
  guidance: number;
  sampler: SamplerName;
  size: number;
}

type Parser<T> = (raw: string, name: string) => T;

const integer = (min: number, max: number): Parser<number> => (raw, name) => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw invalid(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
};

const finite = (min: number, max: number): Parser<number> => (raw, name) => {
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw invalid(name, `must be a finite number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
};

const digit: Parser<number> = (raw, name) => {
  if (!/^[0-9]$/.test(raw)) throw new ApiError(400, 'invalid_digit', `${name} must be one of 0-9, got ${JSON.stringify(raw)}`);
  return Number(raw);
};

/** A string of digits, e.g. "0123456789": one sheet row each. */
const digitList = (max: number): Parser<number[]> => (raw, name) => {
  if (!new RegExp(`^[0-9]{1,${max}}$`).test(raw)) throw invalid(name, `must be 1 to ${max} digits 0-9, e.g. 0123456789, got ${JSON.stringify(raw)}`);
  return [...raw].map(Number);
};

/** `x,y,w,h` in pixels; whether it fits the image is checked once the image is decoded. */
const rect: Parser<Rect> = (raw, name) => {
  const m = /^(\d{1,4}),(\d{1,4}),(\d{1,4}),(\d{1,4})$/.exec(raw);
  if (!m || Number(m[3]) === 0 || Number(m[4]) === 0) throw invalid(name, `must be x,y,w,h in the image's pixels with w, h ≥ 1, got ${JSON.stringify(raw)}`);
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
};

const oneOf = <T extends string>(choices: readonly T[]): Parser<T> => (raw, name) => {
  if (!choices.includes(raw as T)) throw invalid(name, `must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
};

function invalid(name: string, detail: string): ApiError {
  return new ApiError(400, 'invalid_parameter', `${name} ${detail}`);
}

/** Parses `query` against `schema`: each known key at most once, no unknown keys. */
export function parseQuery<S extends Record<string, Parser<unknown>>>(query: URLSearchParams, schema: S): { [K in keyof S]?: ReturnType<S[K]> } {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [key, raw] of query) {
    if (!(key in schema)) {
      throw new ApiError(400, 'unknown_parameter', `unknown query parameter ${JSON.stringify(key)}; allowed: ${Object.keys(schema).join(', ')}`);
    }
    if (seen.has(key)) throw new ApiError(400, 'repeated_parameter', `query parameter ${JSON.stringify(key)} is given more than once`);
    seen.add(key);
    out[key] = schema[key](raw, key);
  }
  return out as { [K in keyof S]?: ReturnType<S[K]> };
}

export const generationSchema = {
  steps: integer(1, LIMITS.maxSteps),
  seed: integer(0, 0xffffffff),
  guidance: finite(0, LIMITS.maxGuidance),
  sampler: oneOf(SAMPLERS),
  size: integer(LIMITS.minSize, LIMITS.maxSize),
};

export type GenerationQuery = ReturnType<typeof parseGenerationQuery>;

/** Validation needs no model, so bad input is a 400 even when the weights are unavailable. */
export function parseGenerationQuery(query: URLSearchParams) {
  return parseQuery(query, generationSchema);
}

export function withDefaults(q: GenerationQuery, defaults: Defaults): GenerationParams {
  return {
    steps: q.steps ?? defaults.defaultSteps,
    seed: q.seed ?? null,
    guidance: q.guidance ?? defaults.defaultGuidance,
    sampler: q.sampler ?? defaults.defaultSampler,
    size: q.size ?? LIMITS.minSize,
  };
}

/** The client's seed, or a fresh random one (which the route reports in X-Seed). */
export function drawSeed(seed: number | null): number {
  return seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
}

export function parseDigit(raw: string): number {
  return digit(raw, 'digit');
}

/** A required parameter's value, or a 400 naming it. */
export function required<T>(value: T | undefined, name: string, what: string): T {
  if (value === undefined) throw invalid(name, `is required: ${what}`);
  return value;
}

/** GET /digit/:d.apng: every frame is held while encoding, so frames × pixels is bounded. */
export function checkAnimation(params: GenerationParams): void {
  const pixels = params.size * params.size * params.steps;
  if (pixels > LIMITS.maxAnimationPixels) {
    throw new ApiError(400, 'over_budget', `an animation of ${params.steps} frames of ${params.size}×${params.size} is ${pixels} pixels; size² × steps must be at most ${LIMITS.maxAnimationPixels} (fewer steps or a smaller size; browsers can scale a 28 px animation up)`);
  }
}

export const inpaintSchema = {
  digit,
  steps: generationSchema.steps,
  seed: generationSchema.seed,
  guidance: generationSchema.guidance,
  sampler: generationSchema.sampler,
  resample: integer(1, LIMITS.maxResample),
  mask: rect,
};

/** Inpainting defaults: RePaint resampling (resample > 1) needs the single-step ddim sampler, so that is its default. */
export function inpaintParams(q: ReturnType<typeof parseQuery<typeof inpaintSchema>>, defaults: Defaults) {
  const resample = q.resample ?? 1;
  const params = withDefaults({ ...q, sampler: q.sampler ?? (resample > 1 ? 'ddim' : undefined) }, defaults);
  if (resample > 1 && params.sampler !== 'ddim') throw invalid('resample', 'above 1 needs sampler=ddim: a multistep solver cannot go back a step');
  if (params.steps * resample > LIMITS.maxSteps) throw invalid('resample', `× steps must be at most ${LIMITS.maxSteps}, got ${resample} × ${params.steps}`);
  return { ...params, resample };
}

export const restyleSchema = {
  to: digit,
  strength: finite(0, 1),
  steps: generationSchema.steps,
  seed: generationSchema.seed,
  guidance: generationSchema.guidance,
  sampler: generationSchema.sampler,
};

export const sheetSchema = {
  digits: digitList(LIMITS.maxSheetDigits),
  seeds: integer(1, LIMITS.maxSheetSeeds),
  seed: generationSchema.seed,
  steps: generationSchema.steps,
  guidance: generationSchema.guidance,
  sampler: generationSchema.sampler,
  size: integer(LIMITS.minSize, LIMITS.maxSheetCell),
};

/** A sheet whose estimated model time exceeds the budget is refused before anything runs. */
export function checkSheetBudget(images: number, steps: number, guidance: number): void {
  const ms = estimateSheetMs(images, steps, guidance);
  if (ms > LIMITS.sheetBudgetMs) {
    throw new ApiError(400, 'over_budget', `${images} digits × ${steps} steps at guidance ${guidance} is an estimated ${Math.round(ms)} ms of model time; a sheet may use ${LIMITS.sheetBudgetMs} ms (fewer digits, seeds or steps; guidance 0 or 1 halves the cost)`);
  }
}

/** The canonical query string: every parameter present, keys sorted. Two URLs for one image give one key. */
export function canonicalQuery(params: Record<string, string | number>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(params[k]))}`)
    .join('&');
}
