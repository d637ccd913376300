/**
 * Answering with a deterministic render. Seeded: cached and immutable
 * (cachedRender). Unseeded: a random draw is not repeatable by URL, so it is
 * never cached, but Content-Location names the URL that draws it again.
 */
import type { Context } from 'hono';
import { cachedRender, type CachedRender } from './cache';

export async function respondWithRender(c: Context, r: CachedRender & { seeded: boolean }): Promise<Response> {
  if (r.seeded) return cachedRender(c, r);
  return new Response(await r.render(), { headers: { ...r.headers, 'Content-Type': r.contentType, 'Cache-Control': 'no-store', 'Content-Location': r.canonical } });
}
