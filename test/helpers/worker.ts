/** Runs the bundled Worker (.test-bundle/, built by the global setup) in workerd through Miniflare. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import UPNG from 'upng-js';
import type { Manifest } from '../../src/model/weights';
import { ASSETS_DIR, bundledWorkerOptions, GENERATION_LIMIT, type RateLimitConfig } from '../../scripts/build/worker-options';

export const BUNDLE_DIR = path.resolve('.test-bundle');

interface ServedManifest {
  name: string;
  version: string;
  architecture: { channels: number[] };
  sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string; maxSteps?: number; hand?: true };
}
const served = (dir: string) => JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')) as ServedManifest;

/** The served weight sets (src/model/weight-sets.ts): few-step draws the default request and up to its maxSteps, general the rest, hand every request in a hand. */
export const FEW_STEP = served('weights/few-step');
export const GENERAL = served('weights');
export const HAND = served('weights/hand');

/** What a request without steps, guidance or sampler gets: the few-step set's defaults. */
export const SERVED_DEFAULTS = FEW_STEP.sampling;

/**
 * Its request log (one JSON line per request on stdout) is dropped: test/helpers/worker-logs.ts reads it where a test needs it.
 * `rateLimit` replaces wrangler.toml's; requests without CF-Connecting-IP (all but the rate limit's tests) are never limited.
 */
export function startWorker(bundleDir = BUNDLE_DIR, rateLimit: RateLimitConfig = GENERATION_LIMIT): Miniflare {
  return new Miniflare({
    ...bundledWorkerOptions(bundleDir, ASSETS_DIR, rateLimit),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  });
}

/** A copy of the bundle with each file as `edit` returns it. */
function editedBundle(edit: (file: string, bytes: Buffer) => Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bundle-'));
  for (const file of fs.readdirSync(BUNDLE_DIR)) fs.writeFileSync(path.join(dir, file), edit(file, fs.readFileSync(path.join(BUNDLE_DIR, file))));
  return dir;
}

/** A copy of the bundle whose weights binary has been altered by `mutate`. */
export function bundleWithWeights(mutate: (bytes: Buffer) => Buffer): string {
  return editedBundle((file, bytes) => (file.endsWith('model.bin') ? mutate(bytes) : bytes));
}

/**
 * A copy of the bundle in which the served set of version `was` has `manifest`'s version and
 * sampling, as `npm run set-sampling` would leave its manifest.json: the bundle inlines each
 * manifest (src/model/served-sets.ts) as the object esbuild writes, edited here in place.
 * Throws where that layout is not found; a test should still read the edit back (GET /model).
 */
export function bundleWithSampling(was: string, manifest: Pick<Manifest, 'version' | 'sampling'>): string {
  return editedBundle((file, bytes) => {
    if (file !== 'index.js') return bytes;
    const js = bytes.toString('utf8');
    const version = `\n  version: ${JSON.stringify(was)},\n`;
    const at = js.indexOf(version);
    const start = js.indexOf('\n  sampling: {\n', at);
    const end = js.indexOf('\n  },\n', start);
    // One manifest of that version, its sampling block inside it, and the block's end its own (no top-level key in between).
    if (at < 0 || js.indexOf(version, at + 1) >= 0 || start < 0 || end < 0 || js.slice(at, start).includes('\n}') || /\n {2}\S/.test(js.slice(start + 1, end))) {
      throw new Error(`bundleWithSampling: no single inlined manifest of version ${was} with a sampling block in ${BUNDLE_DIR}/index.js`);
    }
    const sampling = `\n  sampling: ${JSON.stringify(manifest.sampling)},\n`;
    return Buffer.from(`${js.slice(0, at)}\n  version: ${JSON.stringify(manifest.version)},\n${js.slice(at + version.length, start)}${sampling}${js.slice(end + '\n  },\n'.length)}`);
  });
}

/** A request to a Worker in Miniflare that must answer 200: its body, ETag and X-Weights-Version. */
export async function fetchOk(mf: Miniflare, path: string, init?: RequestInit) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, init as never);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.subarray(0, 200).toString()}`);
  return { body, etag: res.headers.get('etag'), version: res.headers.get('x-weights-version') };
}

export interface DecodedPng {
  width: number;
  height: number;
  /** Grey level per pixel; throws if any pixel is not grey. */
  grey: Uint8Array;
}

export function decodeGreyPng(bytes: ArrayBuffer): DecodedPng {
  const img = UPNG.decode(bytes);
  const rgba = new Uint8Array(UPNG.toRGBA8(img)[0]);
  const grey = new Uint8Array(img.width * img.height);
  for (let i = 0; i < grey.length; i++) {
    const [r, g, b, a] = rgba.subarray(4 * i, 4 * i + 4);
    if (r !== g || g !== b || a !== 255) throw new Error(`pixel ${i} is not opaque grey: ${r},${g},${b},${a}`);
    grey[i] = r;
  }
  return { width: img.width, height: img.height, grey };
}
