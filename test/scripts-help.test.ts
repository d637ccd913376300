/**
 * Every command in scripts/ (each top-level .ts file; shared code lives in its
 * subfolders) answers --help with its usage and exit status 0, and does
 * nothing else. Each runs in a scratch copy of the repository, so a script that
 * ignored --help and did its work (rebuilding docs/, a bench, a training run)
 * shows up as a changed file there without touching the worktree.
 * Each run costs 1-3 s of CPU (tsx and the script's imports); the generous
 * timeout is for a machine shared with other work (the suite measured up to
 * 150 s per script at load average 12 on 2 cores).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve('.');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const COMMANDS = fs.readdirSync('scripts').filter((f) => f.endsWith('.ts')).sort();
/** What the scripts read (and a careless one would write). */
const COPIED = ['src', 'scripts', 'test', 'weights', 'docs', 'reports', 'eval', 'package.json', 'tsconfig.json', 'wrangler.toml', 'README.md'];

let scratch: string;

/** Every file under dir with its size and modification time, dist/ and other build folders included. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (full.startsWith(path.join(dir, 'node_modules'))) continue;
    const stat = fs.lstatSync(full);
    files.set(path.relative(dir, full), entry.isFile() ? `${stat.size} ${stat.mtimeMs}` : entry.isDirectory() ? 'dir' : 'other');
  }
  return files;
}

function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [path.join('scripts', script), '--help'], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDFLARE_API_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-help-'));
  for (const entry of COPIED) fs.cpSync(entry, path.join(scratch, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'));
});

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('--help on every script', () => {
  it('finds the commands', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['bench.ts', 'build-client.ts', 'distill.ts', 'eval.ts', 'make-pictures.ts', 'sample-sheet.ts', 'train-gpu.ts']));
  });

  it.each(COMMANDS)('%s prints its usage, exits 0 and changes no file', { timeout: 300_000 }, async (script) => {
    const before = snapshot(scratch);
    const { code, stdout, stderr } = await run(script);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: /);
    const after = snapshot(scratch);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
    expect(changed).toEqual([]);
  });
});
