/**
 * End-to-end HTTP: the wrangler bundle served by workerd (Miniflare) on
 * 127.0.0.1 only, under concurrent load from autocannon.
 *  - uncached: no seed, so the route draws one and answers no-store: the
 *    model runs, the Cache API is never touched (checked with Cache-Control);
 *  - miss: a new seed every request: cache lookup, model, cache.put (X-Cache: MISS).
 *    Locally the put goes to Miniflare's simulated cache; here it now and then
 *    held a response for seconds (and autocannon lost one), which the
 *    uncached run does not show, so both are reported;
 *  - hit: one seeded URL over and over after a first miss: the Cache API
 *    path, no model run (X-Cache: HIT).
 * Every path is a default request (no steps, guidance or sampler), drawn by
 * the Worker's first weight set (src/model/weight-sets.ts); each run counts
 * the X-Weights-Version of its answers to show which.
 * Each run stops after `amount` requests or `maxSeconds`, whichever is first.
 * One workerd isolate runs JavaScript on one thread, so under load requests
 * queue: latency grows with connections while requests/s stays ≈ 1 / service time.
 */
import autocannon, { type Result } from 'autocannon';
import { Miniflare } from 'miniflare';
import { benchWorkerOptions } from './workerd';

export interface LoadRun {
  path: string;
  connections: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** X-Cache (else Cache-Control) header counts, to prove the run measured what it says. */
  cache: Record<string, number>;
  /** X-Weights-Version header counts: which of the served weight sets drew the answers ("none" without the header). */
  weights: Record<string, number>;
}

export interface HttpBench {
  url: string;
  /** The Worker's own startupMs (backend + weights, inside workerd) from the first GET /model. */
  workerdStartupMs: number | null;
  firstRequestMs: number;
  runs: Record<'uncached' | 'miss' | 'hit', LoadRun>;
}

export interface LoadOptions {
  connections: number;
  freshRequests: number;
  cachedRequests: number;
  maxSeconds: number;
}

/** Serves the bundle in `bundleDir` as the tests do, but listening on a free port of 127.0.0.1. */
function serve(bundleDir: string): Miniflare {
  return new Miniflare({ ...benchWorkerOptions(bundleDir), host: '127.0.0.1', port: 0 });
}

export async function benchHttp(bundleDir: string, opts: LoadOptions, log: (line: string) => void): Promise<HttpBench> {
  const mf = serve(bundleDir);
  try {
    const url = (await mf.ready).toString().replace(/\/$/, '');
    const t0 = performance.now();
    const model = (await (await fetch(`${url}/model`)).json()) as { backend?: { startupMs?: number } };
    const firstRequestMs = performance.now() - t0;
    for (let i = 0; i < 3; i++) await (await fetch(`${url}/digit/${i}.png?seed=${900_000 + i}`)).arrayBuffer(); // warm the kernels

    const limits = `${opts.connections} connections, up to ${opts.freshRequests} requests or ${opts.maxSeconds} s`;
    let next = 0;
    log(`HTTP uncached (no seed): ${limits}…`);
    const uncached = await run(url, opts.connections, opts.freshRequests, opts.maxSeconds, '/digit/N.png', () => `/digit/${next++ % 10}.png`);
    log(`HTTP cache misses (fresh seeds): ${limits}…`);
    const miss = await run(url, opts.connections, opts.freshRequests, opts.maxSeconds, '/digit/N.png?seed=<fresh>', () => {
      const k = next++;
      return `/digit/${k % 10}.png?seed=${1_000_000 + k}`;
    });
    const cachedPath = '/digit/7.png?seed=424242';
    await (await fetch(`${url}${cachedPath}`)).arrayBuffer(); // the one miss that fills the cache
    await new Promise((r) => setTimeout(r, 200)); // cache.put runs in waitUntil
    log(`HTTP cache hits: ${opts.connections} connections, up to ${opts.cachedRequests} requests or ${opts.maxSeconds} s…`);
    const hit = await run(url, opts.connections, opts.cachedRequests, opts.maxSeconds, cachedPath, () => cachedPath);
    return { url, workerdStartupMs: model.backend?.startupMs ?? null, firstRequestMs, runs: { uncached, miss, hit } };
  } finally {
    await mf.dispose();
  }
}

async function run(url: string, connections: number, amount: number, maxSeconds: number, label: string, nextPath: () => string): Promise<LoadRun> {
  const cache: Record<string, number> = {};
  const weights: Record<string, number> = {};
  let lastResponse = 0;
  const instance = autocannon({
    url,
    connections,
    amount,
    timeout: 60,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: nextPath() }),
        onResponse: (_status, _body, _ctx, headers) => {
          lastResponse = performance.now();
          const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
          const key = String(header('x-cache') ?? header('cache-control') ?? 'none');
          cache[key] = (cache[key] ?? 0) + 1;
          const version = String(header('x-weights-version') ?? 'none');
          weights[version] = (weights[version] ?? 0) + 1;
        },
      },
    ],
  });
  const started = performance.now();
  const timer = setTimeout(() => instance.stop(), maxSeconds * 1000);
  const result: Result = await instance;
  clearTimeout(timer);
  // Start to last response on our own clock: autocannon ends a run (and rounds its duration) on one-second ticks.
  const seconds = ((lastResponse || performance.now()) - started) / 1000;
  const requests = result.requests.total;
  return {
    path: label,
    connections,
    requests,
    seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    cache,
    weights,
  };
}
