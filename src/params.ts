/**
 * Query validation at the edge of the app: nothing reaches the model unchecked.
 * Each route declares its parameters once, as a zod schema that both parses
 * them and describes them in the OpenAPI document (GET /openapi.json); unknown
 * and repeated parameters are errors (so two spellings of one request cannot
 * hide from the cache).
 */
import * as z from 'zod';
import { ApiError, type ErrorCode } from './errors';
import { SPACINGS } from './image/compose';
import type { Rect } from './image/mask';
import type { Style } from './image/style';
import { defaultRequestManifest, servedManifests } from './model/served-sets';
import { guidanceBySteps, stepRanges } from './model/weight-sets';
import type { Manifest } from './model/weights';
import { SAMPLERS, type SamplerName } from './model/sampler';
import { samplingAt, type GuidanceDefaults, type SamplingDefaults } from './model/sampling-defaults';
import { asksForStyle, completeStyle, DESCRIPTOR_MEANING, outOfRange, styleRange, styleStatsOf, type Descriptor } from './model/style-prior';
import { LIMITS } from './limits';

/** A weight set's sampling defaults (the one that draws the request); its guidance depends on the run's steps (samplingAt). */
export type Defaults = Pick<SamplingDefaults, 'defaultSteps' | 'defaultSampler'> & GuidanceDefaults;

export interface GenerationParams {
  steps: number;
  /** null when the client gave none: the route draws one and reports it in X-Seed. */
  seed: number | null;
  guidance: number;
  sampler: SamplerName;
  size: number;
}

/** The client errors a parameter's value can cause. */
type ValueError = Extract<ErrorCode, 'invalid_parameter' | 'invalid_digit'>;

/** A value refused for its spelling rather than its range: `how` says what form is accepted. */
class Misspelt {
  constructor(readonly how: string) {}
}

/**
 * One query or path value, as zod sees it: a string that `accept` turns into
 * its value or refuses (undefined, or Misspelt with the accepted form). A
 * refusal echoes the raw value and says what is allowed; parseQuery puts the
 * parameter's name in front. `doc` is the value's JSON Schema in the OpenAPI
 * document, from the same bounds.
 */
function value<T>(accept: (raw: string) => T | Misspelt | undefined, allowed: string, doc: Record<string, unknown>, code: ValueError = 'invalid_parameter') {
  return z
    .string()
    .transform((raw, ctx) => {
      const parsed = accept(raw);
      if (parsed !== undefined && !(parsed instanceof Misspelt)) return parsed;
      const form = parsed instanceof Misspelt ? ` ${parsed.how}` : '';
      ctx.issues.push({ code: 'custom', input: raw, message: `${allowed}${form}, got ${JSON.stringify(raw)}`, params: { code } });
      return z.NEVER;
    })
    .meta(doc);
}

/**
 * Numbers are read in JSON's grammar only, so the OpenAPI document's
 * `type: integer` and `type: number` mean what a JSON parser would take.
 * Number() alone also takes 0x10, 0b11, +2, .5, 5. and surrounding spaces:
 * second spellings of one value, which the API refuses as it refuses
 * repeated parameters.
 */
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const PLAIN_INTEGER = /^(0|[1-9][0-9]*)$/;

const integer = (min: number, max: number) =>
  value(
    (raw) => {
      if (!PLAIN_INTEGER.test(raw)) return new Misspelt('in plain decimal digits (no sign, point, exponent, leading zero or space)');
      return Number(raw) >= min && Number(raw) <= max ? Number(raw) : undefined;
    },
    `must be an integer from ${min} to ${max}`,
    { type: 'integer', minimum: min, maximum: max },
  );

/** A JSON number (so 2, 2.0 and 2e0 are one value and share a cache key) that is finite and `ok`; Misspelt otherwise. */
function jsonNumber(raw: string, ok: (n: number) => boolean): number | Misspelt | undefined {
  if (!JSON_NUMBER.test(raw)) return new Misspelt('written as a JSON number such as 0.5 (digits on both sides of a point; no leading +, leading zero, hex, binary or space)');
  const n = Number(raw);
  return Number.isFinite(n) && ok(n) ? n : undefined;
}

const finite = (min: number, max: number) =>
  value((raw) => jsonNumber(raw, (n) => n >= min && n <= max), `must be a finite number from ${min} to ${max}`, { type: 'number', minimum: min, maximum: max });

const digit = () => value((raw) => (/^[0-9]$/.test(raw) ? Number(raw) : undefined), 'must be one of 0-9', { type: 'integer', minimum: 0, maximum: 9 }, 'invalid_digit');

/** A string of digits, e.g. "0123456789": one sheet row, or one digit of a number, each. */
const digitList = (max: number, code: ValueError = 'invalid_parameter') =>
  value(
    (raw) => (new RegExp(`^[0-9]{1,${max}}$`).test(raw) ? [...raw].map(Number) : undefined),
    `must be 1 to ${max} digits 0-9, e.g. 0123456789`,
    { type: 'string', pattern: `^[0-9]{1,${max}}$` },
    code,
  );

/** `x,y,w,h` in pixels; whether it fits the image is checked once the image is decoded. */
const rect = () =>
  value(
    (raw): Rect | undefined => {
      const m = /^(\d{1,4}),(\d{1,4}),(\d{1,4}),(\d{1,4})$/.exec(raw);
      return m && Number(m[3]) > 0 && Number(m[4]) > 0 ? { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) } : undefined;
    },
    "must be x,y,w,h in the image's pixels with w, h ≥ 1",
    { type: 'string', pattern: '^\\d{1,4},\\d{1,4},\\d{1,4},\\d{1,4}$' },
  );

const oneOf = <T extends string>(choices: readonly T[]) => value((raw) => (choices.includes(raw as T) ? (raw as T) : undefined), `must be one of ${choices.join(', ')}`, { type: 'string', enum: [...choices] });

/** The refusal of `key`'s value (`raw`): its code and detail; a missing required value quotes the field's description. */
function valueError(key: string, raw: string | undefined, issue: z.core.$ZodIssue, field: z.ZodType): ApiError {
  if (raw === undefined) return invalid(key, `is required: ${field.description}`);
  const code = (issue.code === 'custom' && (issue.params?.code as ValueError)) || 'invalid_parameter';
  return new ApiError(400, code, `${key} ${issue.message}`);
}

function invalid(name: string, detail: string): ApiError {
  return new ApiError(400, 'invalid_parameter', `${name} ${detail}`);
}

/**
 * Parses `query` against `schema`: each known key at most once, no unknown
 * keys, refused at the first bad parameter in the order the client wrote them;
 * then the first missing required one, in the schema's order.
 */
export function parseQuery<S extends z.ZodRawShape>(query: URLSearchParams, schema: z.ZodObject<S>): z.output<z.ZodObject<S>> {
  const shape: Record<string, z.ZodType> = schema.shape as z.ZodRawShape as Record<string, z.ZodType>;
  const given: Record<string, string> = {};
  for (const [key, raw] of query) {
    if (!Object.hasOwn(shape, key)) {
      throw new ApiError(400, 'unknown_parameter', `unknown query parameter ${JSON.stringify(key)}; allowed: ${Object.keys(shape).join(', ')}`);
    }
    if (Object.hasOwn(given, key)) throw new ApiError(400, 'repeated_parameter', `query parameter ${JSON.stringify(key)} is given more than once`);
    given[key] = raw;
    const parsed = shape[key].safeParse(raw);
    if (!parsed.success) throw valueError(key, raw, parsed.error.issues[0], shape[key]);
  }
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = String(issue.path[0]);
  throw valueError(key, given[key], issue, shape[key]);
}

/** Path parameters, in the schema's order. */
export function parsePath<S extends z.ZodRawShape>(params: Record<string, string>, schema: z.ZodObject<S>): z.output<z.ZodObject<S>> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = String(issue.path[0]);
  throw valueError(key, params[key], issue, schema.shape[key] as z.ZodType);
}

/** The default request's sampling defaults, as the OpenAPI document states them (the routes take them from the loaded model). */
const SAMPLING: Defaults = defaultRequestManifest().sampling;

/** The served sets that draw plain requests, by the steps they take, and the set that draws every request in a hand, if any (weight-sets.ts). */
const plainSets = () => servedManifests().filter((m) => !m.sampling.hand);
const handSet = () => servedManifests().find((m) => m.sampling.hand);
const IN_HAND = 'with a style given (slant or thickness, /number, /imitate)';

/** Something of each plain weight set, by the steps it draws: "few-step at 1-2 steps, general at 3-100 steps". */
function perSet(describe: (m: Manifest) => string | number): string {
  const sets = plainSets();
  const ranges = stepRanges(sets);
  return sets.map((m, i) => `${describe(m)} at ${ranges[i].join('-')} steps`).join(', ');
}

/** The docs' note on the default sampler, which depends on the weight set that answers: a plain set by the steps, or the hand set. */
function perSetSampler(): string {
  const sets = plainSets();
  const bySet = sets.every((m) => m.sampling.defaultSampler === SAMPLING.defaultSampler) ? '' : `; the default depends on the weight set that draws the request: ${perSet((m) => m.sampling.defaultSampler)}`;
  const hand = handSet();
  return bySet + (hand ? `; ${IN_HAND}: ${hand.sampling.defaultSampler}, on ${hand.name}` : '');
}

/** The docs' note on the default guidance, which depends on the weight set, the step count and whether a style is given (GET /model's guidanceBySteps). */
function perStepGuidance(): string {
  const spans = guidanceBySteps(servedManifests());
  const plain = spans.filter((s) => !s.hand);
  const hand = spans.filter((s) => s.hand);
  const bySteps = plain.every((s) => s.defaultGuidance === SAMPLING.defaultGuidance) ? '' : `; the default depends on the steps: ${plain.map((s) => `${s.defaultGuidance} at ${s.steps.join('-')} steps`).join(', ')}`;
  const byStyle = hand.length ? `; ${IN_HAND}: ${hand.map((s) => `${s.defaultGuidance} at ${s.steps.join('-')} steps`).join(', ')}` : '';
  return bySteps + byStyle;
}

/** The docs' note on the steps of a request drawn in a hand, where a hand set draws it (sampling.hand). */
function handSteps(): string {
  const hand = handSet();
  return hand ? `; ${IN_HAND}: drawn by ${hand.name} at any steps, ${hand.sampling.defaultSteps} by default` : '';
}

/** What GET /digit and the other generation routes share. */
const sampling = {
  steps: integer(1, LIMITS.maxSteps).meta({ description: `sampler steps: network calls per image; they choose the weights that draw it (${perSet((m) => m.name!)})${handSteps()}`, default: SAMPLING.defaultSteps, param: { example: 10 } }).optional(),
  seed: integer(0, 0xffffffff).meta({ description: 'noise seed: the same seed and parameters draw the same image; random when absent (see X-Seed)', param: { example: 42 } }).optional(),
  guidance: finite(0, LIMITS.maxGuidance).meta({ description: `classifier-free guidance scale: 0 unconditional, 1 conditional, above 1 stronger${perStepGuidance()}`, default: SAMPLING.defaultGuidance, param: { example: 2 } }).optional(),
  sampler: oneOf(SAMPLERS).meta({ description: `ddim or dpmpp (DPM-Solver++(2M))${perSetSampler()}`, default: SAMPLING.defaultSampler, param: { example: 'ddim' } }).optional(),
};

/** The range of a style descriptor the served sets with style inputs share, or null if they do not all agree (or none has them). */
function servedStyleRange(d: Descriptor): [number, number] | null {
  const ranges = servedManifests().flatMap((m) => {
    const stats = styleStatsOf(m);
    return stats ? [styleRange(stats, d)] : [];
  });
  const [first] = ranges;
  return first && ranges.every(([lo, hi]) => lo === first[0] && hi === first[1]) ? first : null;
}

/**
 * A style descriptor's parameter. Its grammar is checked here, its range once the
 * weight set that draws the request is known (requestedStyle): the range is that
 * set's training digits' 1st-99th percentiles.
 */
function styleParam(d: Descriptor, example: number) {
  const range = servedStyleRange(d);
  const allowed = range ? `${range[0]} to ${range[1]}` : 'as GET /model lists for the weight set that draws the request';
  return value((raw) => jsonNumber(raw, () => true), 'must be a finite number', { type: 'number', ...(range ? { minimum: range[0], maximum: range[1] } : {}) })
    .meta({
      description: `${d}: ${DESCRIPTOR_MEANING[d].meaning}, in ${DESCRIPTOR_MEANING[d].unit}; from ${allowed} (the training digits’ 1st-99th percentiles). Given alone, the other descriptor is its median given this one in the training digits. Absent with the other: no style, the picture as drawn without these parameters`,
      param: { example },
    })
    .optional();
}

/** How a digit is written (src/image/style.ts). */
const style = { slant: styleParam('slant', 0.3), thickness: styleParam('thickness', 3) };

/** A manifest's style statistics and name, as requestedStyle reads them. */
type StyleSet = Pick<Manifest, 'name' | 'architecture' | 'provenance'>;

/**
 * The style a request asks for, checked against the weight set that draws it
 * and completed (completeStyle); null when it gives neither descriptor, so the
 * drawing is the one without style, byte for byte.
 */
export function requestedStyle(q: Partial<Style>, set: StyleSet): Style | null {
  if (!asksForStyle(q)) return null;
  const stats = styleStatsOf(set);
  if (!stats) throw styleUnavailable(set);
  const outside = outOfRange(stats, q);
  if (outside) {
    const [lo, hi] = outside.range;
    throw invalid(outside.descriptor, `must be from ${lo} to ${hi} (the training digits’ 1st-99th percentiles), got ${q[outside.descriptor]}`);
  }
  return completeStyle(stats, q);
}

/** A refusal of a style request that `set` cannot draw, naming the step counts that can. */
export function styleUnavailable(set: StyleSet): ApiError {
  const sets = servedManifests();
  const ranges = stepRanges(sets);
  const able = sets.flatMap((m, i) => (styleStatsOf(m) ? [`${m.name} at ${ranges[i].join('-')} steps`] : []));
  const where = able.length ? `; sets that do: ${able.join(', ')}` : '; no served set has them';
  return new ApiError(400, 'style_unavailable', `the weight set that draws this request (${set.name}) has no style inputs, so it cannot draw a given slant or thickness${where}`);
}

/** The X-Style header's value: the style a picture was drawn in, as query parameters would give it. */
export function styleHeader(style: Style): string {
  return `slant=${style.slant}, thickness=${style.thickness}`;
}

export const digitPath = z.object({ digit: digit().meta({ description: 'the digit to draw', param: { example: 5 } }) });

export const generationQuery = z.object({
  ...sampling,
  size: integer(LIMITS.minSize, LIMITS.maxSize).meta({ description: 'output side in pixels, nearest-neighbour upscale', default: LIMITS.minSize, param: { example: 112 } }).optional(),
  ...style,
});

export type GenerationQuery = z.output<typeof generationQuery>;

/** Validation needs no model, so bad input is a 400 even when the weights are unavailable. */
export function parseGenerationQuery(query: URLSearchParams): GenerationQuery {
  return parseQuery(query, generationQuery);
}

/** The request's sampling with the defaults of the set that draws it filled in. */
export function withDefaults(q: Omit<GenerationQuery, Descriptor>, defaults: Defaults): GenerationParams {
  const steps = q.steps ?? defaults.defaultSteps;
  return {
    steps,
    seed: q.seed ?? null,
    guidance: q.guidance ?? samplingAt(defaults, steps).defaultGuidance,
    sampler: q.sampler ?? defaults.defaultSampler,
    size: q.size ?? LIMITS.minSize,
  };
}

/** The client's seed, or a fresh random one (which the route reports in X-Seed). */
export function drawSeed(seed: number | null): number {
  return seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
}

export function parseDigit(raw: string): number {
  return parsePath({ digit: raw }, digitPath).digit;
}

/** A required parameter's value, or a 400 naming it. */
export function required<T>(value: T | undefined, name: string, what: string): T {
  if (value === undefined) throw invalid(name, `is required: ${what}`);
  return value;
}

export const inpaintQuery = z.object({
  digit: digit().meta({ description: 'the class to draw into the masked region, 0-9', param: { example: 3 } }),
  ...sampling,
  resample: integer(1, LIMITS.maxResample).meta({ description: `RePaint resampling: each step taken this many times (above 1 needs sampler=ddim; steps × resample ≤ ${LIMITS.maxSteps})`, default: 1, param: { example: 2 } }).optional(),
  mask: rect().meta({ description: 'the region to redraw, x,y,w,h in the picture’s pixels; exactly one of this and the mask file', param: { example: '0,14,28,14' } }).optional(),
});

/** Inpainting defaults: RePaint resampling (resample > 1) needs the single-step ddim sampler, so that is its default. */
export function inpaintParams(q: z.output<typeof inpaintQuery>, defaults: Defaults) {
  const resample = q.resample ?? 1;
  const params = withDefaults({ ...q, sampler: q.sampler ?? (resample > 1 ? 'ddim' : undefined) }, defaults);
  if (resample > 1 && params.sampler !== 'ddim') throw invalid('resample', 'above 1 needs sampler=ddim: a multistep solver cannot go back a step');
  if (params.steps * resample > LIMITS.maxSteps) throw invalid('resample', `× steps must be at most ${LIMITS.maxSteps}, got ${resample} × ${params.steps}`);
  return { ...params, resample };
}

export const restyleQuery = z.object({
  to: digit().meta({ description: 'the class to turn the picture into, 0-9', param: { example: 7 } }),
  strength: finite(0, 1).meta({ description: 'from 0 (keep the picture) to 1 (ignore it)', param: { example: 0.6 } }),
  ...sampling,
});

export const sheetQuery = z.object({
  digits: digitList(LIMITS.maxSheetDigits).meta({ description: 'one row per digit (repeats allowed)', default: '0123456789', param: { example: '307' } }).optional(),
  seeds: integer(1, LIMITS.maxSheetSeeds).meta({ description: 'columns; column j uses seed + j', default: 8, param: { example: 4 } }).optional(),
  seed: sampling.seed,
  steps: sampling.steps,
  guidance: sampling.guidance,
  sampler: sampling.sampler,
  size: integer(LIMITS.minSize, LIMITS.maxSheetCell).meta({ description: 'cell side in pixels', default: LIMITS.minSize, param: { example: 56 } }).optional(),
  ...style,
});

/** A number's layout and cell size: GET /number and POST /imitate. */
const numberLayout = {
  size: integer(LIMITS.minSize, LIMITS.maxSheetCell).meta({ description: 'the height, and each cell’s width, in pixels: each digit is drawn at 28 px and scaled by size/28', default: LIMITS.minSize, param: { example: 56 } }).optional(),
  spacing: oneOf(SPACINGS).meta({ description: 'cells: each digit in its own square cell; natural: the digits packed by their ink, a handwriting-like gap apart', default: 'cells', param: { example: 'natural' } }).optional(),
};

export const numberPath = z.object({
  digits: digitList(LIMITS.maxNumberDigits, 'invalid_digit').meta({ description: `the number to write, 1 to ${LIMITS.maxNumberDigits} digits`, param: { example: '2026' } }),
});

export const numberQuery = z.object({ ...sampling, ...numberLayout, ...style });

export const imitateQuery = z.object({
  digits: digitList(LIMITS.maxNumberDigits).meta({ description: `the digits to write in the upload’s hand, 1 to ${LIMITS.maxNumberDigits}`, param: { example: '0123456789' } }),
  ...sampling,
  ...numberLayout,
});

/** The canonical query string: every parameter present, keys sorted. Two URLs for one image give one key. */
export function canonicalQuery(params: Record<string, string | number>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(params[k]))}`)
    .join('&');
}
