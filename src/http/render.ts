/**
 * Answering with a deterministic render. Seeded: cached and immutable
 * (cachedRender). Unseeded: a random draw is not repeatable by URL, so it is
 * never cached (and always pays the rate limit), but Content-Location names
 * the URL that draws it again.
 */
import type { Context } from 'hono';
import { cachedRender, type CachedRender } from './cache';
import type { AppEnv } from './metrics';
import { payForDrawing } from './rate-limit';

export async function respondWithRender(c: Context<AppEnv>, r: CachedRender & { seeded: boolean }): Promise<Response> {
  if (r.seeded) return cachedRender(c, r);
  await payForDrawing(c, r.costMs);
  const body = await r.render();
  return new Response(body, {
    headers: { ...r.headers, 'Content-Type': r.contentType, 'Cache-Control': 'no-store', 'Content-Location': r.canonical, 'Server-Timing': c.var.metrics.serverTiming() },
  });
}
