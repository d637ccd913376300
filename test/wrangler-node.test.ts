/**
 * wrangler refuses Nodes older than its engines field asks (22.12 since 4.160),
 * and this project's CI machine runs Node 20: scripts/build/wrangler.ts runs it
 * on this Node when it can, else on Node 24 from the npm registry. Run on
 * either, wrangler starts; the registry's Node is one package.json supports.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REGISTRY_NODE } from '../scripts/build/registry-node';
import { atLeast, wranglerCommand, wranglerMinimumNode } from '../scripts/build/wrangler';

const wranglerVersion = (JSON.parse(fs.readFileSync('node_modules/wrangler/package.json', 'utf8')) as { version: string }).version;

describe('the Node that runs wrangler', () => {
  it('is this one when wrangler accepts it, and one wrangler accepts in any case', { timeout: 300_000 }, () => {
    const [node] = wranglerCommand([]);
    const minimum = wranglerMinimumNode();
    if (atLeast(process.versions.node, minimum)) expect(node).toBe(process.execPath);
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    expect(atLeast(version, minimum), `${version} against ${minimum.join('.')}`).toBe(true);
  });

  it('starts wrangler itself', { timeout: 120_000 }, () => {
    expect(execFileSync(...wranglerCommand(['--version']), { encoding: 'utf8' })).toContain(wranglerVersion);
  });

  it('compares versions part by part', () => {
    expect(atLeast('20.20.2', [22, 12, 0])).toBe(false);
    expect(atLeast('22.11.9', [22, 12, 0])).toBe(false);
    expect(atLeast('22.12.0', [22, 12, 0])).toBe(true);
    expect(atLeast('22.13.0', [22, 12, 0])).toBe(true);
    expect(atLeast('24.0.0', [22, 12, 0])).toBe(true);
    expect(atLeast('100.1.0', [22, 12, 0])).toBe(true);
  });

  it('from the registry is one package.json and wrangler support', () => {
    const engines = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((range) => range.trim())).toContain(`^${REGISTRY_NODE.version.split('.')[0]}.0.0`);
    expect(atLeast(REGISTRY_NODE.version, wranglerMinimumNode())).toBe(true);
  });
});
