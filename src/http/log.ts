/**
 * One structured JSON line per request on stdout, which `wrangler tail` shows:
 * route, status, milliseconds, cache outcome, seed, weights version, phase
 * timings and, for uploads, the bytes inflated. Never a body, never a header
 * value beyond those.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { RequestMetrics, type AppEnv } from './metrics';

export const logRequests: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  const metrics = new RequestMetrics();
  c.set('metrics', metrics);
  await next();
  const headers = c.res.headers;
  console.log(
    JSON.stringify({
      method: c.req.method,
      route: routePath(c),
      status: c.res.status,
      ms: +(performance.now() - started).toFixed(1),
      cache: headers.get('X-Cache'),
      seed: headers.get('X-Seed'),
      weightsVersion: headers.get('X-Weights-Version'),
      phases: metrics.phases(),
      ...(metrics.inflatedBytes ? { inflatedBytes: metrics.inflatedBytes } : {}),
    }),
  );
};
