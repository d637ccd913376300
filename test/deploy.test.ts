/**
 * `npm run deploy` with no Cloudflare account (no API token, never `wrangler
 * login`): a message saying what to do, exit status 1, no stack trace, and
 * nothing built or uploaded. HOME and the config folders point at an empty
 * folder so that this machine's own wrangler login, if any, is not found.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run deploy without an account', () => {
  it('says how to log in or set a token, and stops before building', { timeout: 60_000 }, () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-home-'));
    const { CLOUDFLARE_API_TOKEN: _, CLOUDFLARE_API_KEY: __, ...env } = process.env;
    const run = spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/deploy.ts'], { env: { ...env, HOME: empty, XDG_CONFIG_HOME: empty, APPDATA: empty }, encoding: 'utf8' });
    fs.rmSync(empty, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no Cloudflare account/);
    expect(run.stderr).toMatch(/npx wrangler login/);
    expect(run.stderr).toMatch(/CLOUDFLARE_API_TOKEN=/);
    expect(run.stderr).toMatch(/docs\/deploy\.md/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toMatch(/custom build|wrangler/i);
  });
});
