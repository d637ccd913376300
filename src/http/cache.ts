/**
 * Caching for deterministic responses. Same parameters + same weights version =
 * same bytes, so a seeded image is immutable: a strong ETag answers revalidation
 * with 304, and the Workers Cache API, keyed by the canonical URL, serves
 * repeats without running the model.
 */
import type { Context } from 'hono';
import { sha256Hex } from '../model/weights';
import type { AppEnv } from './metrics';

export interface CachedRender {
  /** Canonical path + query (defaults filled in, keys sorted). */
  canonical: string;
  weightsVersion: string;
  contentType: string;
  /** Draws and encodes, timing its phases in the request's metrics. */
  render: () => Promise<Uint8Array<ArrayBuffer>>;
  headers?: Record<string, string>;
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function strongEtag(weightsVersion: string, canonical: string): Promise<string> {
  const hash = await sha256Hex(new TextEncoder().encode(`${weightsVersion}\n${canonical}`));
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

  // The weights version is part of the key, so new weights never meet old entries.
  const key = new Request(`${new URL(c.req.url).origin}${r.canonical}&weights=${encodeURIComponent(r.weightsVersion)}`);
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
  const body = await r.render();
  const response = new Response(body, { headers: { ...headers, 'Content-Type': r.contentType, 'X-Cache': 'MISS', 'Server-Timing': metrics.serverTiming() } });
  c.executionCtx.waitUntil(cache.put(key, response.clone()));
  return response;
}
