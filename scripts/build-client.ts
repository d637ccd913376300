/**
 * Builds the browser client into dist/client/, the Worker's static assets
 * (`[assets]` in wrangler.toml; wrangler runs this as its custom build, so
 * `npm start`, `npm run deploy` and the tests' `wrangler deploy --dry-run` all do):
 *
 *   client.js              src/client/index.ts bundled with esbuild: the same src/model/ code as the Worker
 *   draw-worker.js         the playground's drawing thread; imports ./client.js rather than a second copy
 *   client/<name>-<hash>   the tfjs wasm binaries (SIMD and plain) and each weight set's binary (named
 *                          by its manifest's `name`), with content hashes in their names
 *   _headers               CORS for cross-origin imports, immutable caching for the hashed files
 *
 * Run alone: npx tsx scripts/build-client.ts
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { ClientFiles } from '../src/client/assets';
import { SERVED_SETS } from '../src/model/served-sets';

export const CLIENT_DIR = path.resolve('dist/client');
const require = createRequire(import.meta.url);

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
  fs.rmSync(CLIENT_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(CLIENT_DIR, 'client'), { recursive: true });
  const files: ClientFiles = {
    simdWasm: copyHashed(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm')),
    plainWasm: copyHashed(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm')),
    weights: weightFiles(),
  };
  await build({ ...COMMON, entryPoints: ['src/client/index.ts'], outfile: path.join(CLIENT_DIR, 'client.js'), define: { CLIENT_FILES: JSON.stringify(files) } });
  await build({
    ...COMMON,
    entryPoints: ['src/client/draw-worker.ts'],
    outfile: path.join(CLIENT_DIR, 'draw-worker.js'),
    plugins: [{ name: 'served-client', setup: (b) => b.onResolve({ filter: /^\.\/index$/ }, () => ({ path: './client.js', external: true })) }],
  });
  fs.writeFileSync(path.join(CLIENT_DIR, '_headers'), HEADERS);
  return files;
}

/** Each weight set's binary copied hashed, keyed by its manifest's name: the name the client looks it up by. */
function weightFiles(): ClientFiles['weights'] {
  const files: ClientFiles['weights'] = {};
  for (const { dir, manifest } of SERVED_SETS) {
    const name = manifest.name;
    if (typeof name !== 'string' || !name || Object.hasOwn(files, name)) throw new Error(`${dir}/manifest.json: the client needs a name no other set has, got ${JSON.stringify(name)}`);
    files[name] = copyHashed(path.resolve(dir, manifest.binary.file), name);
  }
  return files;
}

/** Copies a file to client/<base>-<first 16 hex of its sha256><ext> (base: the file's own, by default); returns that path, relative to client.js. */
function copyHashed(file: string, base = path.basename(file, path.extname(file))): string {
  const bytes = fs.readFileSync(file);
  const ext = path.extname(file);
  const name = `client/${base}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`;
  fs.writeFileSync(path.join(CLIENT_DIR, name), bytes);
  return name;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildClient();
}
