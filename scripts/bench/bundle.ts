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
import { wranglerCommand } from '../build/wrangler';

export interface BundleSize {
  dir: string;
  files: { name: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
  /** Wrangler's own "Total Upload: … / gzip: …" line, for comparison. */
  wranglerSays: string | null;
}

/**
 * wrangler.toml without its custom build and static assets, and without
 * `main`, which the entry given on the command line replaces: module rules
 * and compatibility settings stay as they are. Paths in it would resolve
 * from the folder it is written to; today it has none besides those dropped.
 */
export function configWithoutBuild(toml: string): string {
  let table = '';
  return toml
    .split('\n')
    .filter((line) => {
      table = /^\s*\[\[?\s*([^\]\s]+)\s*\]\]?/.exec(line)?.[1] ?? table;
      const [top] = table.split('.');
      return top !== 'build' && top !== 'assets' && !(table === '' && /^\s*main\s*=/.test(line));
    })
    .join('\n');
}

/**
 * No entry: the Worker as deployed (wrangler.toml as it is, so its custom
 * build rebuilds dist/client/, the static assets). `entry` (the bench's timing
 * probe) replaces wrangler.toml's main and skips the custom build: the probe
 * is served with the assets already built, and rebuilding them empties
 * dist/client/ under any Worker serving them meanwhile (the tests' do).
 */
export function buildBundle(entry?: string): BundleSize {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bench-bundle-'));
  const configDir = entry ? fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bench-config-')) : null;
  const args = ['deploy', '--dry-run', '--outdir', dir];
  let out: string;
  try {
    if (configDir && entry) {
      const config = path.join(configDir, 'wrangler.toml');
      fs.writeFileSync(config, configWithoutBuild(fs.readFileSync('wrangler.toml', 'utf8')));
      args.push('--config', config, path.resolve(entry));
    }
    out = execFileSync(...wranglerCommand(args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  } finally {
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  }
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
