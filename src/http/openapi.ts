/**
 * The routes' contract in one place: the middleware that parses a route's
 * declared parameters (its zod schemas from src/params.ts) before its handler
 * runs, and the response, header and error descriptions the routes share in
 * the OpenAPI document (GET /openapi.json).
 *
 * The document is built by @asteasolutions/zod-to-openapi, the generator
 * inside @hono/zod-openapi, used directly. @hono/zod-openapi itself was
 * measured and left out: it added 144 KiB gzip to the bundle (it extends the
 * whole zod namespace, every locale included, where this costs 32 KiB); its
 * validators check the query before the path, where the API has always named
 * a bad digit first and then the first bad query parameter in the client's
 * order; and its routes cannot express `/digit/{digit}.png` (Hono cannot route
 * a parameter with a suffix in one segment).
 */
import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors';
import { parsePath, parseQuery } from '../params';
import type { AppEnv } from './metrics';
import { BODY_IDLE_MS, BODY_TOTAL_MS, MAX_PNG_BYTES } from './upload';

/** Every documented route, registered by the module that serves it; GET /openapi.json renders it. */
export const registry = new OpenAPIRegistry();

/** The document's route families, in reading order: each route names its own. */
export const TAGS = {
  drawing: { name: 'Drawing', description: 'Digits drawn from noise: one PNG, its animation, a sheet, a number in one hand; slant and thickness ask for a style. Seeded answers are cached and immutable; answering from the cache or with 304 is free of the rate limit.' },
  editing: { name: 'Editing', description: 'A picture in, a picture out: redraw part of it as a digit, turn it into another digit, or write digits in its hand.' },
  model: { name: 'Model', description: 'What is being served, and whether it is up.' },
  client: { name: 'Browser client', description: 'The same model in a web page, on the visitor’s own CPU: the same parameters give the same pixels as the API. Static files, CORS-enabled.' },
  reference: { name: 'Reference', description: 'The demo page, this document and its viewer.' },
} as const;

/** Adds `route` to the document; returns it, so a module declares a route once and serves it. */
export function documented<R extends RouteConfig>(route: R): R {
  registry.registerPath(route);
  return route;
}

type Shape = z.ZodObject<z.ZodRawShape>;
type Parsed<S> = S extends Shape ? z.output<S> : Record<string, never>;

/**
 * Parses the path parameters, then the query, as `request` declares them, and
 * hands the values to the handler (`c.req.valid('param' | 'query')`); the
 * first bad one becomes the API's JSON error. `pathParams` reads the raw path
 * parameters where the Hono path names them differently from the document.
 */
export function validated<P extends Shape | undefined = undefined, Q extends Shape | undefined = undefined>(
  request: { params?: P; query?: Q },
  pathParams: (c: Context) => Record<string, string> = (c) => c.req.param(),
): MiddlewareHandler<AppEnv, string, { out: { param: Parsed<P>; query: Parsed<Q> } }> {
  return async (c, next) => {
    if (request.params) c.req.addValidatedData('param', parsePath(pathParams(c), request.params));
    if (request.query) c.req.addValidatedData('query', parseQuery(new URL(c.req.url).searchParams, request.query));
    await next();
  };
}

export const ErrorBody = z
  .object({
    error: z.enum(ERROR_CODES).meta({ description: 'a short, stable code' }),
    detail: z.string().meta({ description: 'what was wrong, and what is allowed' }),
  })
  .meta({ description: 'Every error the API answers with; each response narrows `error` to the codes its route can give' });

interface HeaderSchema {
  type: 'string' | 'integer';
  enum?: string[];
  pattern?: string;
}

/** An X-Style value: `slant=0.103, thickness=2.386`. */
const STYLE_PATTERN = '^slant=-?[0-9.]+(e-?[0-9]+)?, thickness=[0-9.]+(e-?[0-9]+)?$';

const text = (description: string, schema: HeaderSchema = { type: 'string' }) => ({ description, schema });

const RESPONSE_HEADERS = {
  ETag: text('strong validator derived from the canonical parameters and the weights version'),
  'Cache-Control': text('`public, max-age=31536000, immutable` when seeded (the image never changes), `no-store` otherwise', { type: 'string', enum: ['public, max-age=31536000, immutable', 'no-store'] }),
  'X-Seed': text('the seed used: the request’s, or the one drawn for it', { type: 'string', pattern: '^[0-9]+$' }),
  'X-Cache': text('HIT: served from the Workers Cache API; MISS: drawn now (seeded requests only)', { type: 'string', enum: ['HIT', 'MISS'] }),
  'Content-Location': text('unseeded requests: the canonical URL that draws the same image again'),
  'Server-Timing': text('durations in ms of this request’s phases: decode, model, encode, and cache with desc "hit" or "miss"'),
  'X-Weights-Version': text('the weights that drew it'),
  'X-Style': text('the style it is drawn in, as the query gives it: `slant=<number>, thickness=<number>` (only when slant or thickness is given, and always on /number)', { type: 'string', pattern: STYLE_PATTERN }),
} as const;

/** What an uploaded picture's answer carries (POST routes: never cached). */
export const EDIT_HEADERS = {
  'Cache-Control': text('no-store: the seed reproduces the answer', { type: 'string', enum: ['no-store'] }),
  'X-Seed': RESPONSE_HEADERS['X-Seed'],
  'X-Weights-Version': RESPONSE_HEADERS['X-Weights-Version'],
  'Server-Timing': RESPONSE_HEADERS['Server-Timing'],
};

/** POST /imitate's answer: an edit's headers and the hand it measured. */
export const IMITATE_HEADERS = {
  ...EDIT_HEADERS,
  'X-Style': text('the style the digits are drawn in: the upload’s, rounded to 3 decimals and clamped into the served range', { type: 'string', pattern: STYLE_PATTERN }),
  'X-Style-Measured': text('the upload’s style as measured (rounded to 3 decimals); it differs from X-Style where the measurement was outside the served range', { type: 'string', pattern: STYLE_PATTERN }),
};

/** A binary body of one media type (OpenAPI 3.1 style: no schema type, just the media type). */
export const binary = (mediaType: string) => ({ [mediaType]: { schema: { type: 'string' as const, contentMediaType: mediaType } } });

/** What each error code means, once for every route that can answer it. */
const MEANING: Record<ErrorCode, string> = {
  invalid_digit: 'the digit is not one of 0-9, or a number’s digits are not 1 to 16 of them',
  invalid_parameter: 'a parameter is malformed (numbers in JSON’s number grammar only) or out of range, or a required one is missing',
  unknown_parameter: 'a query parameter the route does not take',
  repeated_parameter: 'a query parameter given more than once',
  over_budget: 'the request’s estimated CPU is above what one request may use; /client.js draws it on your own CPU',
  unsupported_media_type: 'the body is neither image/png nor multipart/form-data',
  empty_body: 'the body or one of its files is empty',
  invalid_body: 'a form that cannot be parsed, an unknown or text field, or a body that cannot be read',
  body_too_large: `over ${MAX_PNG_BYTES / 1024} KiB per PNG; a Content-Length over it is refused before the body is read`,
  request_timeout: `the body stalled (nothing arrived for ${BODY_IDLE_MS / 1000} s) or was not complete within ${BODY_TOTAL_MS / 1000} s`,
  not_png: 'the upload is not a PNG',
  invalid_image: 'a truncated or corrupt PNG: bad CRC, broken or over-inflating data',
  image_too_large: 'more pixels than the request body allows, read from the PNG header',
  invalid_mask: 'no mask, two masks, or a mask that does not fit the picture',
  blank_image: 'the picture has no stroke to measure a hand from',
  style_unavailable: 'slant or thickness asked of a weight set without style inputs (the detail names the step counts whose sets have them)',
  not_found: 'no such path',
  method_not_allowed: 'the path takes other methods (see Allow)',
  rate_limited: 'this client’s share of drawing is used up for now; cached answers stay free',
  model_unavailable: 'the weights failed to load on this server; nothing was drawn',
  internal_error: 'an unexpected failure (logged; no stack trace is sent)',
};

type ErrorStatus = 400 | 408 | 413 | 415 | 429 | 503;

/** Statuses whose answers say when to try again. */
const RETRY_AFTER: Partial<Record<ErrorStatus, string>> = {
  429: 'seconds until the rate limit’s window ends',
  503: 'seconds before trying again',
};

/**
 * Error responses: each status a route can refuse with and the codes it can
 * give under it (and no other: the document's schema lists exactly those),
 * plus the 500 every route can answer.
 */
export function errors(refusals: Partial<Record<ErrorStatus, readonly ErrorCode[]>>) {
  const response = (codes: readonly ErrorCode[]) => ({
    description: codes.map((code) => `${code}: ${MEANING[code]}`).join('; '),
    content: { 'application/json': { schema: ErrorBody.extend({ error: z.enum(codes as [ErrorCode, ...ErrorCode[]]).meta({ description: 'a short, stable code' }) }) } },
  });
  const out: Record<number, ReturnType<typeof response> & { headers?: Record<string, ReturnType<typeof text>> }> = {};
  for (const [status, codes] of Object.entries(refusals)) {
    const retry = RETRY_AFTER[Number(status) as ErrorStatus];
    out[Number(status)] = { ...response(codes), ...(retry ? { headers: { 'Retry-After': text(retry, { type: 'integer' }) } } : {}) };
  }
  out[500] = response(['internal_error']);
  return out;
}

/** Query errors every route with parameters can give. */
export const QUERY_ERRORS = ['invalid_parameter', 'unknown_parameter', 'repeated_parameter'] as const satisfies readonly ErrorCode[];

/** 200 with a deterministic image, and 304 for a matching If-None-Match. */
export function renderedImage(mediaType: string, description: string) {
  const { ETag, 'Cache-Control': cacheControl, 'X-Seed': seed, 'X-Weights-Version': weights } = RESPONSE_HEADERS;
  return {
    200: { description, headers: RESPONSE_HEADERS, content: binary(mediaType) },
    304: { description: 'seeded request whose If-None-Match matches the ETag: the client’s copy is current', headers: { ETag, 'Cache-Control': cacheControl, 'X-Seed': seed, 'X-Weights-Version': weights } },
  };
}

/** The If-None-Match request header of the cacheable routes. */
export const conditional = z.object({
  'if-none-match': z.string().optional().meta({ description: 'an ETag from an earlier answer: 304 if it still matches', param: { example: '"0f3c5e7a9b1d2c4e6f8a0b2c4d6e8f01"' } }),
});
