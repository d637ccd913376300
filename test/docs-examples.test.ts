/**
 * Every example in the README and docs/ runs as written. Each ```sh block that
 * calls the API (holds a curl) runs whole in bash, in a fresh empty folder,
 * against the bundled Worker in workerd, with http://localhost:8787 (what
 * `npm start` serves) pointing at it. So:
 * - every curl fails on an HTTP error (-f) and asks http://localhost:8787 only;
 * - a block creates every file it reads: it runs alone;
 * - outputs are named apart: two different requests never write one file name,
 *   anywhere in the docs, so a reader can run them all in one folder;
 * - a block that calls the API holds only curl, jq, base64 and echo, so nothing
 *   here starts, builds or deploys anything.
 * The other sh blocks (npm commands) are not run; every `npm run X` in them must
 * name a script of package.json.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentationFiles } from '../scripts/make-docs';
import { startWorker } from './helpers/worker';

const LOCAL = 'http://localhost:8787';
const API_COMMANDS = new Set(['curl', 'jq', 'base64', 'echo']);

interface Block {
  /** file:line of the opening fence */
  where: string;
  /** The block's commands, continuation lines joined, comments and blank lines dropped. */
  commands: string[];
  text: string;
}

function shBlocks(file: string): Block[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => {
    const body = m[1];
    const commands = body
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    return { where: `${file}:${text.slice(0, m.index).split('\n').length}`, commands, text: body };
  });
}

const blocks = documentationFiles().flatMap(shBlocks);
const callsApi = (b: Block) => b.commands.some((c) => c.startsWith('curl '));
const examples = blocks.filter(callsApi);

/** The files a command writes (-o FILE, > FILE) and reads (@FILE). */
const written = (command: string) => [...command.matchAll(/(?:\s-o\s+|>\s*)([\w.-]+)/g)].map((m) => m[1]);
const read = (command: string) => [...command.matchAll(/@([\w.-]+)/g)].map((m) => m[1]);
const withoutComment = (command: string) => command.replace(/\s#.*$/, '');

let mf: Miniflare;
let origin: string;

beforeAll(async () => {
  mf = startWorker();
  origin = (await mf.ready).origin;
});

afterAll(async () => {
  await mf?.dispose();
});

describe('the examples in the README and docs/', () => {
  it('are there: the README, the API reference and its routes', () => {
    const where = examples.map((b) => b.where.split(':')[0]);
    expect(where).toContain('README.md');
    const api = examples.filter((b) => b.where.startsWith('docs/api.md')).flatMap((b) => b.commands).join('\n');
    for (const route of ['/digit/5.png', '/digit/5.apng', '/sheet.png', '/inpaint', '/restyle', '/model', '/healthz', '/openapi.json']) expect(api).toContain(`${LOCAL}${route}`);
  });

  it('call curl with -f, on http://localhost:8787 only, and nothing but curl, jq, base64 and echo', () => {
    for (const block of examples) {
      for (const command of block.commands.map(withoutComment)) {
        // The pipeline's stages, with quoted arguments (a jq program, a URL) blanked out first.
        for (const part of command.replace(/'[^']*'/g, "''").split('|').map((p) => p.trim())) expect(API_COMMANDS.has(part.split(/\s+/)[0]), `${block.where}: ${part}`).toBe(true);
        if (!command.startsWith('curl ')) continue;
        expect(command, block.where).toMatch(/\s(-[a-zA-Z]*f[a-zA-Z]*|--fail)(\s|$)/);
        for (const url of command.match(/https?:\/\/[^\s'"]+/g) ?? []) expect(url.startsWith(`${LOCAL}/`), `${block.where}: ${url}`).toBe(true);
      }
    }
  });

  it('name their outputs apart, and read only files their own block wrote first', () => {
    const writers = new Map<string, string>();
    for (const block of examples) {
      const made = new Set<string>();
      for (const command of block.commands.map(withoutComment)) {
        for (const file of read(command)) expect(made.has(file), `${block.where}: ${command} reads ${file}, which the block does not create before`).toBe(true);
        for (const file of written(command)) {
          // The same request may write the same file again (same parameters, same bytes); another may not.
          const other = writers.get(file);
          expect(other === undefined || other === command, `${block.where}: ${file} is also written by: ${other}`).toBe(true);
          writers.set(file, command);
          made.add(file);
        }
      }
    }
    expect(writers.size).toBeGreaterThan(8);
  });

  it('name npm scripts that exist', () => {
    const scripts = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    const named = blocks.flatMap((b) => b.commands.flatMap((c) => [...c.matchAll(/npm run ([\w:-]+)/g)].map((m) => ({ where: b.where, name: m[1] }))));
    expect(named.length).toBeGreaterThan(10);
    for (const { where, name } of named) expect(Object.keys(scripts), `${where}: npm run ${name}`).toContain(name);
  });

  it.each(examples.map((b) => [b.where, b] as const))('%s runs against the Worker', { timeout: 120_000 }, (_, block) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-example-'));
    try {
      const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block.text.replaceAll(LOCAL, origin)], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
      expect(run.status, `${block.where}: ${run.stderr}`).toBe(0);
      for (const file of block.commands.map(withoutComment).flatMap(written)) {
        const bytes = fs.readFileSync(path.join(dir, file));
        expect(bytes.length, file).toBeGreaterThan(0);
        if (/\.a?png$/.test(file)) expect(bytes.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
