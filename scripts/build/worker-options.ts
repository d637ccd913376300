/**
 * How to run the wrangler bundle (`wrangler deploy --dry-run --outdir DIR`) in workerd
 * through Miniflare, with the same module rules, compatibility date, static assets,
 * rate limit and vars as wrangler.toml (test/worker-config.test.ts holds the two
 * together). Shared by the tests, the benchmark and the documentation's pictures.
 */
import path from 'node:path';
import type { MiniflareOptions } from 'miniflare';

/** wrangler.toml's `[assets] directory`: the browser client, built by scripts/build-client.ts (wrangler's custom build). */
export const ASSETS_DIR = path.resolve('dist/client');

/** wrangler.toml's [[ratelimits]] GENERATION_LIMIT: units per period, period in seconds (10 or 60). */
export interface RateLimitConfig {
  limit: number;
  period: 10 | 60;
}

export const GENERATION_LIMIT: RateLimitConfig = { limit: 240, period: 60 };

/** Its `namespace_id`, which Miniflare requires of every rate limit. */
const GENERATION_LIMIT_NAMESPACE = '1001';

/** `rateLimit` replaces wrangler.toml's limit (the tests exhaust a small one). */
export function bundledWorkerOptions(bundleDir: string, assetsDir = ASSETS_DIR, rateLimit = GENERATION_LIMIT): MiniflareOptions {
  return {
    scriptPath: path.join(bundleDir, 'index.js'),
    modules: true,
    modulesRoot: bundleDir,
    modulesRules: [
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
      { type: 'Data', include: ['**/*.bin'] },
    ],
    compatibilityDate: '2025-09-01',
    // Miniflare reads the directory's _headers file itself, as Cloudflare does on deploy.
    assets: { directory: assetsDir, binding: 'ASSETS', routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true } },
    ratelimits: { GENERATION_LIMIT: { namespace_id: GENERATION_LIMIT_NAMESPACE, simple: rateLimit } },
    bindings: { GENERATION_LIMIT_PERIOD: rateLimit.period },
  };
}
