/**
 * Builds the browser client into dist/client/, the Worker's static assets
 * (`[assets]` in wrangler.toml; wrangler runs this as its custom build, so
 * `npm start`, `npm run deploy` and the tests' `wrangler deploy --dry-run` all do):
 *
 *   client.js              src/client/index.ts bundled with esbuild: the same src/model/ code as the Worker
 *   draw-worker.js         the playground's drawing thread; imports ./client.js rather than a second copy
 *   client/<name>-<hash>   the tfjs wasm binaries (SIMD and plain) and each weight set's binary (named
 *                          by its manifest's `name`), with content hashes in their names
 *   swagger-ui/<v>/…       Swagger UI's script and style for GET /docs (src/page/swagger-ui.ts)
 *   _headers               CORS for cross-origin imports, immutable caching for the hashed files
 *
 * It builds into a fresh folder and then swaps the files in (scripts/build/swap-in.ts), so a
 * running `npm start` keeps serving a whole client while the tests or a deploy rebuild it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { ClientFiles } from '../src/client/assets';
import { SERVED_SETS } from '../src/model/served-sets';
import { SWAGGER_UI_FILES, SWAGGER_UI_FOLDER } from '../src/page/swagger-ui';
import { freshFolderBeside, swapIn } from './build/swap-in';
import { exitOnHelp } from './cli/help';

export const CLIENT_DIR = path.resolve('dist/client');
const require = createRequire(import.meta.url);

const USAGE = `Usage: npm run build:client
  Builds the browser client (/client.js, /draw-worker.js, their wasm binaries and weights) and
  Swagger UI's files into dist/client/, the Worker's static assets. wrangler runs it before
  \`wrangler dev\` and \`wrangler deploy\`; no flags.`;

/**
 * Cloudflare's `_headers` format, read by Workers Static Assets on deploy and by
 * Miniflare in dev and tests. client.js keeps one URL for every release, so it
 * is revalidated; the files it names change name when they change.
 */
const HEADERS = `/client.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
/draw-worker.js
  Cache-Control: public, max-age=300
/client/*
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=31536000, immutable
/${SWAGGER_UI_FOLDER}/*
  Cache-Control: public, max-age=31536000, immutable
`;

const COMMON: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // The emscripten glue requires these on its Node path only; a browser never takes it.
  external: ['fs', 'path'],
  // The Worker's bundled binaries (imported by src/model/runtime.ts) stay out: the client fetches its own.
  loader: { '.wasm': 'empty', '.bin': 'empty' },
};

export async function buildClient(): Promise<ClientFiles> {
  const out = freshFolderBeside(CLIENT_DIR);
  try {
    const files = await buildInto(out);
    swapIn(out, CLIENT_DIR);
    return files;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function buildInto(out: string): Promise<ClientFiles> {
  fs.mkdirSync(path.join(out, 'client'), { recursive: true });
  const files: ClientFiles = {
    simdWasm: copyHashed(out, require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm')),
    plainWasm: copyHashed(out, require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm')),
    weights: weightFiles(out),
  };
  await build({ ...COMMON, entryPoints: ['src/client/index.ts'], outfile: path.join(out, 'client.js'), define: { CLIENT_FILES: JSON.stringify(files) } });
  await build({
    ...COMMON,
    entryPoints: ['src/client/draw-worker.ts'],
    outfile: path.join(out, 'draw-worker.js'),
    plugins: [{ name: 'served-client', setup: (b) => b.onResolve({ filter: /^\.\/index$/ }, () => ({ path: './client.js', external: true })) }],
  });
  copySwaggerUi(out);
  fs.writeFileSync(path.join(out, '_headers'), HEADERS);
  return files;
}

/** Swagger UI's files, from the devDependency swagger-ui-dist, for GET /docs. */
function copySwaggerUi(out: string): void {
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  fs.mkdirSync(path.join(out, SWAGGER_UI_FOLDER), { recursive: true });
  for (const file of SWAGGER_UI_FILES) fs.copyFileSync(path.join(dist, file), path.join(out, SWAGGER_UI_FOLDER, file));
}

/** Each weight set's binary copied hashed, keyed by its manifest's name: the name the client looks it up by. */
function weightFiles(out: string): ClientFiles['weights'] {
  const files: ClientFiles['weights'] = {};
  for (const { dir, manifest } of SERVED_SETS) {
    const name = manifest.name;
    if (typeof name !== 'string' || !name || Object.hasOwn(files, name)) throw new Error(`${dir}/manifest.json: the client needs a name no other set has, got ${JSON.stringify(name)}`);
    files[name] = copyHashed(out, path.resolve(dir, manifest.binary.file), name);
  }
  return files;
}

/** Copies a file to client/<base>-<first 16 hex of its sha256><ext> (base: the file's own, by default); returns that path, relative to client.js. */
function copyHashed(out: string, file: string, base = path.basename(file, path.extname(file))): string {
  const bytes = fs.readFileSync(file);
  const ext = path.extname(file);
  const name = `client/${base}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`;
  fs.writeFileSync(path.join(out, name), bytes);
  return name;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  exitOnHelp(USAGE);
  await buildClient();
}
