/**
 * vitest global setup: bundle the Worker with wrangler (the deploy path, minus the upload) into .test-bundle/.
 * wrangler first runs its custom build (wrangler.toml [build]): the browser client into dist/client/, the static assets.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { wranglerCommand } from '../../scripts/build/wrangler';

export const BUNDLE_DIR = '.test-bundle';

export default function buildWorker(): void {
  fs.rmSync(BUNDLE_DIR, { recursive: true, force: true });
  execFileSync(...wranglerCommand(['deploy', '--dry-run', '--outdir', BUNDLE_DIR]), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
}
