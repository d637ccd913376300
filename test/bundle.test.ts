/** What wrangler uploads: the SIMD build of the tfjs wasm backend and nothing else, within the size budget. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUNDLE_DIR } from './helpers/worker';

const require = createRequire(import.meta.url);
const binary = (name: string) => fs.readFileSync(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${name}`));

describe('the deployable bundle', () => {
  const files = fs.readdirSync(BUNDLE_DIR);

  it('holds exactly one WebAssembly module, byte-identical to the SIMD binary', () => {
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    const shipped = fs.readFileSync(path.join(BUNDLE_DIR, wasm[0]));
    expect(shipped.equals(binary('tfjs-backend-wasm-simd.wasm'))).toBe(true);
    expect(shipped.equals(binary('tfjs-backend-wasm.wasm'))).toBe(false);
  });

  it('stays under 1 MiB gzip (cold starts stay fast)', () => {
    const gzip = files.filter((f) => !f.endsWith('.map') && !f.endsWith('.md')).reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(BUNDLE_DIR, f))).length, 0);
    expect(gzip).toBeLessThan(1024 * 1024);
  });
});
