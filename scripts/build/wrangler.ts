/**
 * How this repository runs wrangler (`npm start`, the tests' bundle and dev
 * server, the bench, `npm run deploy`): on the Node running us when wrangler
 * accepts it, as on Node 22 and 24; else, since wrangler refuses older Nodes
 * outright, on Node 24 from the npm registry (scripts/build/registry-node.ts),
 * saying so. That keeps `npm start` and `npm test` working on this project's
 * CI machine, whose Node is 20.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { registryNode } from './registry-node';

const require = createRequire(import.meta.url);
const wranglerPackage = require.resolve('wrangler/package.json');
const { version, engines, bin } = require(wranglerPackage) as { version: string; engines: { node: string }; bin: { wrangler: string } };

/** wrangler's `engines.node`, which its launcher enforces: ">=22.12.0" as of wrangler 4.160. */
export function wranglerMinimumNode(): number[] {
  const match = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(engines.node.trim());
  if (!match) throw new Error(`wrangler ${version} asks for Node "${engines.node}"; scripts/build/wrangler.ts reads only ">=X.Y.Z"`);
  return match.slice(1).map(Number);
}

/** Whether Node `version` (as in process.versions.node) is at least `minimum`. */
export function atLeast(version: string, minimum: number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) if (parts[i] !== minimum[i]) return parts[i] > minimum[i];
  return true;
}

/** The Node binary to run wrangler with. */
export function wranglerNode(): string {
  const minimum = wranglerMinimumNode();
  if (atLeast(process.versions.node, minimum)) return process.execPath;
  const node = registryNode();
  console.error(`wrangler ${version} needs Node ${minimum.join('.')} or later and this is Node ${process.versions.node}: running it on ${path.relative('.', node)}.`);
  return node;
}

/** `[command, args]` that run `wrangler ...args`. */
export function wranglerCommand(args: readonly string[]): [string, string[]] {
  return [wranglerNode(), [path.join(path.dirname(wranglerPackage), bin.wrangler), ...args]];
}
