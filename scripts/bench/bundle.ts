/**
 * The deployable bundle as `wrangler deploy` would upload it: built with
 * `wrangler deploy --dry-run --outdir <tmp>`, measured raw and gzip-compressed
 * (Cloudflare's size limit applies to the compressed upload). The folder is
 * kept for the HTTP load test, which serves exactly these files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export interface BundleSize {
  dir: string;
  files: { name: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
  /** Wrangler's own "Total Upload: … / gzip: …" line, for comparison. */
  wranglerSays: string | null;
}

/** `entry` replaces wrangler.toml's main (the bench's timing probe); rules, assets and build stay wrangler.toml's. */
export function buildBundle(entry?: string): BundleSize {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bench-bundle-'));
  const out = execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', dir, ...(entry ? [entry] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.map') && e.name !== 'README.md')
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      const bytes = fs.readFileSync(full);
      return { name: path.relative(dir, full), bytes: bytes.length, gzipBytes: zlib.gzipSync(bytes, { level: 9 }).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
  return {
    dir,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    wranglerSays: /Total Upload:[^\n]*/.exec(out)?.[0].trim() ?? null,
  };
}
