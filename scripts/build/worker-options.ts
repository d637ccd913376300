/**
 * How to run the wrangler bundle (`wrangler deploy --dry-run --outdir DIR`) in workerd
 * through Miniflare, with the same module rules, compatibility date and static assets
 * as wrangler.toml. Shared by the tests, the benchmark and the documentation's pictures.
 */
import path from 'node:path';
import type { MiniflareOptions } from 'miniflare';

/** wrangler.toml's `[assets] directory`: the browser client, built by scripts/build-client.ts (wrangler's custom build). */
export const ASSETS_DIR = path.resolve('dist/client');

export function bundledWorkerOptions(bundleDir: string, assetsDir = ASSETS_DIR): MiniflareOptions {
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
    assets: { directory: assetsDir, routerConfig: { has_user_worker: true } },
  };
}
