/**
 * `npm start` and anyone who wants the project's wrangler: runs it with the
 * arguments given, on a Node it accepts (scripts/build/wrangler.ts). Waits for
 * it and exits with its status. Ctrl-C reaches wrangler itself (same process
 * group), so this waits for it to shut down rather than leave it behind; a
 * SIGTERM sent to this process alone is passed on.
 */
import { spawn } from 'node:child_process';
import { wranglerCommand } from './build/wrangler';
import { exitOnHelp } from './cli/help';

const USAGE = `Usage: tsx scripts/wrangler.ts <wrangler arguments>   (npm start runs: dev --port 8787)
  Runs this project's wrangler with those arguments, on this Node when wrangler accepts it
  (22.12 or later), else on Node 24 fetched once from the npm registry (Linux x64), saying so.
  --help first prints this; wrangler's own help: tsx scripts/wrangler.ts help`;

const args = process.argv.slice(2);
// Only a first --help is ours: `dev --help` is wrangler's.
exitOnHelp(USAGE, args.slice(0, 1));
const [node, nodeArgs] = wranglerCommand(args);
const wrangler = spawn(node, nodeArgs, { stdio: 'inherit' });
wrangler.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.on('SIGINT', () => {});
process.on('SIGTERM', () => wrangler.kill('SIGTERM'));
