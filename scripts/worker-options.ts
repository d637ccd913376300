/**
 * How to run the wrangler bundle (`wrangler deploy --dry-run --outdir DIR`) in workerd
 * through Miniflare, with the same module rules and compatibility date as wrangler.toml.
 * Shared by the tests, the benchmark and the README pictures.
 */
import path from 'node:path';
import type { MiniflareOptions } from 'miniflare';

export function bundledWorkerOptions(bundleDir: string): MiniflareOptions {
  return {
    scriptPath: path.join(bundleDir, 'index.js'),
    modules: true,
    modulesRoot: bundleDir,
    modulesRules: [
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
      { type: 'Data', include: ['**/*.bin'] },
    ],
    compatibilityDate: '2025-09-01',
  };
}
