/**
 * How fast /client.js draws in this machine's headless Chromium, and how big its files are:
 *  - first digit: from the page's load event to the first drawDigit's pixels (module, wasm and
 *    weights downloaded, compiled and checked, first draw), in a fresh browser profile (cold cache);
 *  - per digit after that: median over 20 seeds, on the page's thread and through the playground's
 *    /draw-worker.js, and with the plain (non-SIMD) binary;
 *  - sizes: the client's files gzip -9, and the Worker's own bundle (scripts/bench/bundle.ts).
 * Defaults throughout (the manifest's steps, guidance and sampler). Run: npx tsx scripts/bench-client.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Miniflare } from 'miniflare';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser';
import { buildBundle } from './bench/bundle';
import { ASSETS_DIR, bundledWorkerOptions } from './build/worker-options';
import { exitOnHelp } from './cli/help';

const COLD_RUNS = 3;
const DIGITS = 20;

exitOnHelp(`Usage: npm run bench:client
  How fast /client.js draws in headless Chromium (first digit on a cold and a warm page, per digit
  on the page's thread, in a Web Worker and with the plain wasm binary) and the size of its files.
  Builds the Worker and the client, runs them in workerd; prints its figures. No flags.`);

const bundle = buildBundle(); // also runs wrangler's custom build: dist/client/
const mf = new Miniflare(bundledWorkerOptions(bundle.dir));
const origin = (await mf.ready).origin;

/** In the page: ms to import /client.js and draw one digit, then ms per digit for DIGITS more. */
async function drawTimes(page: Page): Promise<{ first: number; perDigit: number[]; backend: string }> {
  return page.evaluate(async (count) => {
    const start = performance.now();
    const { drawDigit } = await import(/* @vite-ignore */ `${location.origin}/client.js`);
    const { backend } = await drawDigit({ digit: 0, seed: 0 });
    const first = performance.now() - start;
    const perDigit = [];
    for (let seed = 1; seed <= count; seed++) {
      const t = performance.now();
      await drawDigit({ digit: seed % 10, seed });
      perDigit.push(performance.now() - t);
    }
    return { first, perDigit, backend };
  }, DIGITS);
}

/** In the page: ms per digit through /draw-worker.js (after one warm-up draw), as the playground draws. No named functions inside: tsx would wrap them in a helper the page lacks. */
async function workerTimes(page: Page): Promise<number[]> {
  return page.evaluate(async (count) => {
    const worker = new Worker('/draw-worker.js', { type: 'module' });
    const times = [];
    for (let id = 0; id <= count; id++) {
      const t = performance.now();
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = (e) => (e.data.type === 'done' ? resolve() : e.data.type === 'error' && reject(new Error(e.data.message)));
        worker.postMessage({ id, digit: id % 10, seed: id });
      });
      if (id > 0) times.push(performance.now() - t); // draw 0 warms the worker up
    }
    worker.terminate();
    return times;
  }, DIGITS);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

const cold = [];
for (let run = 0; run < COLD_RUNS; run++) {
  const chromium = await launchChromium(); // a fresh profile: nothing cached
  const page = await chromium.context.newPage();
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  cold.push(await drawTimes(page));
  if (run === 0) {
    const reload = await chromium.context.newPage(); // same profile: HTTP cache and V8's wasm code cache are warm
    await reload.goto(`${origin}/`, { waitUntil: 'load' });
    const warm = await drawTimes(reload);
    console.log(`first digit, warm cache (second visit): ${ms(warm.first)}`);
    console.log(`per digit through /draw-worker.js: median ${ms(median(await workerTimes(reload)))}`);
    const plain = await chromium.context.newPage();
    await plain.addInitScript(() => {
      WebAssembly.validate = () => false; // a browser without WASM SIMD
    });
    await plain.goto(`${origin}/`, { waitUntil: 'load' });
    const fallback = await drawTimes(plain);
    console.log(`plain wasm (${fallback.backend}): first digit ${ms(fallback.first)}, per digit median ${ms(median(fallback.perDigit))}`);
  }
  await chromium.close();
}
console.log(`first digit, cold cache (${COLD_RUNS} fresh profiles, ${cold[0].backend}): ${cold.map((r) => ms(r.first)).join(', ')}`);
console.log(`per digit after that (median of ${DIGITS} each): ${cold.map((r) => ms(median(r.perDigit))).join(', ')}`);

const gzip = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const file of ['client.js', 'draw-worker.js', ...fs.readdirSync(path.join(ASSETS_DIR, 'client')).map((f) => `client/${f}`)]) {
  const full = path.join(ASSETS_DIR, file);
  console.log(`${file}: ${kib(fs.statSync(full).size)} raw, ${kib(gzip(full))} gzip`);
}
console.log(`Worker bundle: ${kib(bundle.bytes)} raw, ${kib(bundle.gzipBytes)} gzip (${bundle.wranglerSays})`);
await mf.dispose();
fs.rmSync(bundle.dir, { recursive: true, force: true });
