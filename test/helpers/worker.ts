/** Runs the bundled Worker (.test-bundle/, built by the global setup) in workerd through Miniflare. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import UPNG from 'upng-js';
import { ASSETS_DIR, bundledWorkerOptions, GENERATION_LIMIT, type RateLimitConfig } from '../../scripts/build/worker-options';

export const BUNDLE_DIR = path.resolve('.test-bundle');

interface ServedManifest {
  name: string;
  version: string;
  architecture: { channels: number[] };
  sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string; maxSteps?: number };
}
const served = (dir: string) => JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')) as ServedManifest;

/** The served weight sets (src/model/weight-sets.ts): few-step draws the default request and up to its maxSteps, general the rest. */
export const FEW_STEP = served('weights/few-step');
export const GENERAL = served('weights');

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

/** A copy of the bundle whose weights binary has been altered by `mutate`. */
export function bundleWithWeights(mutate: (bytes: Buffer) => Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-bundle-'));
  for (const file of fs.readdirSync(BUNDLE_DIR)) {
    const bytes = fs.readFileSync(path.join(BUNDLE_DIR, file));
    fs.writeFileSync(path.join(dir, file), file.endsWith('model.bin') ? mutate(Buffer.from(bytes)) : bytes);
  }
  return dir;
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
