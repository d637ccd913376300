/**
 * Query validation at the edge of the app: nothing reaches the model unchecked.
 * Each route declares its parameters once; unknown and repeated parameters are
 * errors (so two spellings of one request cannot hide from the cache).
 */
import { ApiError } from './errors';
import { SAMPLERS, type SamplerName } from './model/sampler';

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

export function parseDigit(raw: string): number {
  if (!/^[0-9]$/.test(raw)) throw new ApiError(400, 'invalid_digit', `digit must be one of 0-9, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** The canonical query string: every parameter present, keys sorted. Two URLs for one image give one key. */
export function canonicalQuery(params: Record<string, string | number>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(params[k]))}`)
    .join('&');
}
