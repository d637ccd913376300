/**
 * Caching for deterministic responses. Same parameters + same weights version +
 * same drawing version (src/model/drawing-version.ts) = same bytes, so a seeded
 * image is immutable: a strong ETag answers revalidation with 304, and the
 * Workers Cache API, keyed by the canonical query and those versions alone, serves repeats without running the model. Only a
 * miss is drawn, and only a miss pays the rate limit.
 */
import type { Context } from 'hono';
import { DRAWING_VERSION } from '../model/drawing-version';
import { sha256Hex } from '../model/weights';
import type { AppEnv } from './metrics';
import { payForDrawing } from './rate-limit';

export interface CachedRender {
  /** Canonical path + query (defaults filled in, keys sorted). */
  canonical: string;
  weightsVersion: string;
  contentType: string;
  /** Draws and encodes, timing its phases in the request's metrics. */
  render: () => Promise<Uint8Array<ArrayBuffer>>;
  /** Its estimated CPU (src/cost.ts): the rate limit's price of drawing it. */
  costMs: number;
  headers?: Record<string, string>;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The cache keys' origin. Not the request's: one Worker answers under several
 * host names (workers.dev, custom domains, any Host locally), and the same
 * image must be one entry under all of them. `.invalid` is reserved: no real
 * host has this name.
 */
const KEY_ORIGIN = 'https://cache.invalid';

/** The Cache API key of a render: its canonical path and query, the weights and drawing versions, never the host. */
export function cacheKey(canonical: string, weightsVersion: string): string {
  // Both versions are part of the key, so new weights or new drawing code never meet old entries.
  return `${KEY_ORIGIN}${canonical}&weights=${encodeURIComponent(weightsVersion)}&drawing=${DRAWING_VERSION}`;
}

export async function strongEtag(weightsVersion: string, canonical: string): Promise<string> {
  const hash = await sha256Hex(new TextEncoder().encode(`${weightsVersion}\n${DRAWING_VERSION}\n${canonical}`));
  return `"${hash.slice(0, 32)}"`;
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export async function cachedRender(c: Context<AppEnv>, r: CachedRender): Promise<Response> {
  const etag = await strongEtag(r.weightsVersion, r.canonical);
  const headers = { ...r.headers, ETag: etag, 'Cache-Control': IMMUTABLE };
  if (matchesIfNoneMatch(c.req.header('If-None-Match'), etag)) return new Response(null, { status: 304, headers });

  const key = new Request(cacheKey(r.canonical, r.weightsVersion));
  const cache = (caches as unknown as { default: Cache }).default;
  const metrics = c.var.metrics;
  const hit = await metrics.time('cache', () => cache.match(key), (found) => (found ? 'hit' : 'miss'));
  if (hit) {
    const response = new Response(hit.body, hit);
    response.headers.set('X-Cache', 'HIT');
    // The stored entry carries the Server-Timing of the request that drew it; this one only looked it up.
    response.headers.set('Server-Timing', metrics.serverTiming());
    return response;
  }
  await payForDrawing(c, r.costMs);
  const body = await r.render();
  const response = new Response(body, { headers: { ...headers, 'Content-Type': r.contentType, 'X-Cache': 'MISS', 'Server-Timing': metrics.serverTiming() } });
  c.executionCtx.waitUntil(cache.put(key, response.clone()));
  return response;
}
