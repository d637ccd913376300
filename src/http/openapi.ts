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
import { ERROR_CODES } from '../errors';
import { parsePath, parseQuery } from '../params';
import type { AppEnv } from './metrics';

/** Every documented route, registered by the module that serves it; GET /openapi.json renders it. */
export const registry = new OpenAPIRegistry();

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
  .meta({ id: 'Error', description: 'Every error the API answers with' });

interface HeaderSchema {
  type: 'string' | 'integer';
  enum?: string[];
  pattern?: string;
}

const text = (description: string, schema: HeaderSchema = { type: 'string' }) => ({ description, schema });

const RESPONSE_HEADERS = {
  ETag: text('strong validator derived from the canonical parameters and the weights version'),
  'Cache-Control': text('`public, max-age=31536000, immutable` when seeded (the image never changes), `no-store` otherwise', { type: 'string', enum: ['public, max-age=31536000, immutable', 'no-store'] }),
  'X-Seed': text('the seed used: the request’s, or the one drawn for it', { type: 'string', pattern: '^[0-9]+$' }),
  'X-Cache': text('HIT: served from the Workers Cache API; MISS: drawn now (seeded requests only)', { type: 'string', enum: ['HIT', 'MISS'] }),
  'Content-Location': text('unseeded requests: the canonical URL that draws the same image again'),
  'Server-Timing': text('durations in ms of this request’s phases: decode, model, encode, and cache with desc "hit" or "miss"'),
  'X-Weights-Version': text('the weights that drew it'),
} as const;

/** What an uploaded picture's answer carries (POST routes: never cached). */
export const EDIT_HEADERS = {
  'Cache-Control': text('no-store: the seed reproduces the answer', { type: 'string', enum: ['no-store'] }),
  'X-Seed': RESPONSE_HEADERS['X-Seed'],
  'X-Weights-Version': RESPONSE_HEADERS['X-Weights-Version'],
  'Server-Timing': RESPONSE_HEADERS['Server-Timing'],
};

/** A binary body of one media type (OpenAPI 3.1 style: no schema type, just the media type). */
export const binary = (mediaType: string) => ({ [mediaType]: { schema: { type: 'string' as const, contentMediaType: mediaType } } });

type ErrorStatus = 400 | 404 | 413 | 415 | 503;

/** Error responses: the statuses a route can refuse with, plus the 500 every route can answer. */
export function errors(statuses: Partial<Record<ErrorStatus, string>>) {
  const json = { 'application/json': { schema: ErrorBody } };
  const out: Record<number, { description: string; content: typeof json; headers?: Record<string, ReturnType<typeof text>> }> = {};
  for (const [status, description] of Object.entries(statuses)) out[Number(status)] = { description, content: json };
  if (out[503]) out[503].headers = { 'Retry-After': text('seconds before trying again', { type: 'integer' }) };
  out[500] = { description: 'internal_error: an unexpected failure (logged; no stack trace is sent)', content: json };
  return out;
}

export const MODEL_UNAVAILABLE = 'model_unavailable: the weights failed to load on this server; nothing was drawn';

/** 200 with a deterministic image, and 304 for a matching If-None-Match. */
export function renderedImage(mediaType: string, description: string) {
  const { ETag, 'Cache-Control': cacheControl, 'X-Seed': seed, 'X-Weights-Version': weights } = RESPONSE_HEADERS;
  return {
    200: { description, headers: RESPONSE_HEADERS, content: binary(mediaType) },
    304: { description: 'seeded request whose If-None-Match matches the ETag: the client’s copy is current', headers: { ETag, 'Cache-Control': cacheControl, 'X-Seed': seed, 'X-Weights-Version': weights } },
  };
}

/** The If-None-Match request header of the cacheable routes. */
export const conditional = z.object({ 'if-none-match': z.string().optional().meta({ description: 'an ETag from an earlier answer: 304 if it still matches' }) });
