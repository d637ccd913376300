/**
 * `npm run deploy`: `wrangler deploy` (build, then upload the Worker, its
 * weights and static assets), after checking that wrangler has a Cloudflare
 * account to deploy to. Without one, wrangler would open a browser to log in,
 * or in a non-interactive shell stop after the build with an error; this says
 * what to do instead, before anything is built. docs/deploy.md has the rest.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wranglerCommand } from './build/wrangler';
import { exitOnHelp } from './cli/help';

const USAGE = `Usage: npm run deploy [-- wrangler deploy flags]
  Builds and uploads the Worker, both weight sets and the static assets to your Cloudflare
  account (wrangler deploy). Needs a Cloudflare API token in CLOUDFLARE_API_TOKEN, or a prior
  \`npx wrangler login\`. --dry-run builds without uploading and needs neither.
  Step by step, plans and rolling weights back: docs/deploy.md.`;

const NO_ACCOUNT = `npm run deploy: no Cloudflare account to deploy to.

  Either log in once in a browser:   npx wrangler login
  or set an API token (CI, servers): export CLOUDFLARE_API_TOKEN=<token>
                                     (a token made from the "Edit Cloudflare Workers" template)

Then run npm run deploy again. Step by step, with the free and paid plans: docs/deploy.md.`;

/**
 * Where `wrangler login` keeps its OAuth token, as wrangler 4 finds it: a legacy ~/.wrangler
 * folder if there is one, else `.wrangler` in the platform's config folder (xdg-app-paths).
 */
function wranglerLoginFile(): string {
  const home = os.homedir();
  const legacy = path.join(home, '.wrangler');
  const configHome =
    process.env.XDG_CONFIG_HOME ||
    (process.platform === 'darwin'
      ? path.join(home, 'Library', 'Preferences')
      : process.platform === 'win32'
        ? path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'xdg.config')
        : path.join(home, '.config'));
  const dir = fs.existsSync(legacy) && fs.statSync(legacy).isDirectory() ? legacy : path.join(configHome, '.wrangler');
  const environment = process.env.WRANGLER_API_ENVIRONMENT === 'staging' ? 'staging' : 'default';
  return path.join(dir, 'config', `${environment}.toml`);
}

const hasAccount = () => !!process.env.CLOUDFLARE_API_TOKEN || !!(process.env.CLOUDFLARE_API_KEY && process.env.CLOUDFLARE_EMAIL) || fs.existsSync(wranglerLoginFile());

const args = process.argv.slice(2);
exitOnHelp(USAGE, args);
if (!args.includes('--dry-run') && !hasAccount()) {
  console.error(NO_ACCOUNT);
  process.exit(1);
}
const wrangler = spawnSync(...wranglerCommand(['deploy', ...args]), { stdio: 'inherit' });
process.exit(wrangler.status ?? 1);
