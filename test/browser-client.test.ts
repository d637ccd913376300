/**
 * GET /client.js in real headless Chromium (Debian's /usr/bin/chromium via playwright-core), served
 * with its assets by the bundled Worker in workerd: drawDigit gives the very pixels GET /digit/:d.png
 * returns, from both weight sets (few-step for the default request and 1-2 steps, general above),
 * imported from the Worker's own page and from a page on another origin; a page downloads only the
 * sets its draws need; weights that fail their sha256 give an error and no picture; a browser
 * without WASM SIMD gets the plain binary.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Miniflare } from 'miniflare';
import type { Page } from 'playwright-core';
import { ASSETS_DIR, bundledWorkerOptions } from '../scripts/build/worker-options';
import type { DrawDigitOptions, DrawNumberOptions } from '../src/client/index';
import { launchChromium, type Browser } from './helpers/browser';
import { BUNDLE_DIR, decodeGreyPng, FEW_STEP, GENERAL, HAND, startWorker } from './helpers/worker';

type Case = Omit<DrawDigitOptions, 'onStep'>;

/**
 * Both samplers, 1-20 steps, guidance off, plain conditional, fractional and strong, from both weight
 * sets: steps 1-2 are the few-step set's, 3 and up the general set's. The last three leave defaults
 * to the manifest of the set that draws: the first every one (the default request: few-step), the
 * other two all but steps, at the last few-step count and at the first general one.
 */
const CASES: Case[] = [
  { digit: 0, seed: 1, steps: 10, guidance: 2, sampler: 'dpmpp' },
  { digit: 3, seed: 42, steps: 4, guidance: 2, sampler: 'ddim' },
  { digit: 5, seed: 7, steps: 1, guidance: 1, sampler: 'dpmpp' },
  { digit: 7, seed: 4294967295, steps: 20, guidance: 3.5, sampler: 'ddim' },
  { digit: 9, seed: 123456, steps: 6, guidance: 0, sampler: 'dpmpp' },
  { digit: 8, seed: 2024, steps: 3, guidance: 0.75, sampler: 'ddim' },
  { digit: 4, seed: 99 },
  { digit: 2, seed: 31, steps: FEW_STEP.sampling.maxSteps },
  { digit: 6, seed: 8, steps: FEW_STEP.sampling.maxSteps! + 1 },
  // In a given style (either descriptor alone is completed as GET /digit completes it), from both sets.
  { digit: 3, seed: 42, steps: 4, slant: 0.4, thickness: 3 },
  { digit: 1, seed: 9, slant: -0.3 },
  { digit: 7, seed: 10, steps: 2, thickness: 1.5 },
];

/** Numbers in one hand: a drawn hand and a given one, both spacings, both sets. */
const NUMBERS: DrawNumberOptions[] = [
  { digits: '2026', seed: 7 },
  { digits: '90210', seed: 3, steps: 3, spacing: 'natural' },
  { digits: '41', seed: 12, slant: 0.5, thickness: 2.2, spacing: 'natural' },
];

/**
 * The parameters a case draws with: what it leaves out comes from the manifest of the set that draws
 * it: in a given hand the hand set, else the set its steps pick.
 */
function expectedParams(c: Case) {
  const inHand = c.slant !== undefined || c.thickness !== undefined;
  const { sampling } = inHand ? HAND : c.steps === undefined || c.steps <= FEW_STEP.sampling.maxSteps! ? FEW_STEP : GENERAL;
  return { steps: c.steps ?? sampling.defaultSteps, guidance: c.guidance ?? sampling.defaultGuidance, sampler: c.sampler ?? sampling.defaultSampler };
}

let mf: Miniflare;
let origin: string;
let chromium: Browser;

beforeAll(async () => {
  chromium = await launchChromium();
  mf = startWorker();
  origin = (await mf.ready).origin;
});

afterAll(async () => {
  await chromium?.close();
  await mf?.dispose();
});

/** The Worker's picture for a case, as grey bytes. */
async function workerPixels(c: Case): Promise<number[]> {
  const query = new URLSearchParams(Object.entries(c).filter(([k]) => k !== 'digit').map(([k, v]) => [k, String(v)]));
  const res = await mf.dispatchFetch(`${origin}/digit/${c.digit}.png?${query}`);
  expect(res.status).toBe(200);
  return Array.from(decodeGreyPng(await res.arrayBuffer()).grey);
}

type ClientModule = typeof import('../src/client/index');
/** The page's window, once importClient has run. */
type ClientWindow = { digitsClient: ClientModule };

/**
 * Imports the module at `moduleUrl` into the page as `window.digitsClient`. A string, because vitest
 * rewrites `import()` inside functions it transforms, and the page has no such helper.
 */
function importClient(page: Page, moduleUrl: string): Promise<void> {
  return page.evaluate(`import(${JSON.stringify(moduleUrl)}).then((m) => { window.digitsClient = m; })`);
}

/** Draws every case in the page; pixels come back as plain arrays. */
function drawInPage(page: Page, cases: Case[]) {
  return page.evaluate(
    async (cases) => {
      const { drawDigit } = (window as unknown as ClientWindow).digitsClient;
      const drawn = [];
      for (const c of cases) {
        const frames: { step: number; pixels: number[] }[] = [];
        const digit = await drawDigit({ ...c, onStep: (f) => frames.push({ step: f.step, pixels: Array.from(f.pixels) }) });
        const { width, height, backend, steps, guidance, sampler } = digit;
        drawn.push({ width, height, backend, steps, guidance, sampler, pixels: Array.from(digit.pixels), frames });
      }
      return drawn;
    },
    cases,
  );
}

// Generous: Chromium, workerd and the draws share the CPU with whatever else runs (minutes, under CI load).
describe('GET /client.js in Chromium', { timeout: 240_000 }, () => {
  it('draws the very pixels GET /digit/:d.png returns, from both weight sets, for both samplers and several steps, seeds and guidance scales', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/`);
    await importClient(page, '/client.js');
    const drawn = await drawInPage(page, CASES);
    for (const [i, c] of CASES.entries()) {
      const d = drawn[i];
      expect({ case: c, width: d.width, height: d.height, backend: d.backend }).toEqual({ case: c, width: 28, height: 28, backend: 'wasm-simd' });
      expect({ case: c, steps: d.steps, guidance: d.guidance, sampler: d.sampler }).toEqual({ case: c, ...expectedParams(c) });
      expect(d.pixels, JSON.stringify(c)).toEqual(await workerPixels(c));
      // One frame per step, in order; the last step's x̂₀ is the finished digit.
      expect(d.frames.map((f) => f.step)).toEqual(Array.from({ length: d.steps }, (_, s) => s + 1));
      expect(d.frames.at(-1)!.pixels).toEqual(d.pixels);
    }
    await page.close();
  });

  it('draws the very pixels GET /number/:digits.png returns at size 28, in the hand it reports', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/`);
    await importClient(page, '/client.js');
    const drawn = await page.evaluate(async (numbers) => {
      const { drawNumber } = (window as unknown as ClientWindow).digitsClient;
      const out = [];
      for (const n of numbers) {
        const { width, height, style, pixels } = await drawNumber(n);
        out.push({ width, height, style, pixels: Array.from(pixels) });
      }
      return out;
    }, NUMBERS);
    for (const [i, n] of NUMBERS.entries()) {
      const query = new URLSearchParams(Object.entries(n).filter(([k]) => k !== 'digits').map(([k, v]) => [k, String(v)]));
      const res = await mf.dispatchFetch(`${origin}/number/${n.digits}.png?${query}`);
      expect(res.status).toBe(200);
      expect(`slant=${drawn[i].style.slant}, thickness=${drawn[i].style.thickness}`).toBe(res.headers.get('x-style'));
      const worker = decodeGreyPng(await res.arrayBuffer());
      expect([drawn[i].width, drawn[i].height], JSON.stringify(n)).toEqual([worker.width, worker.height]);
      expect(drawn[i].pixels, JSON.stringify(n)).toEqual(Array.from(worker.grey));
    }
    const refusals = await page.evaluate(async () => {
      const { drawNumber } = (window as unknown as ClientWindow).digitsClient;
      const bad: Record<string, unknown>[] = [{ digits: '' }, { digits: '12345678901234567' }, { digits: 12 }, { spacing: 'wide' }, { slant: 5 }, { thickness: NaN }];
      return Promise.all(bad.map((b) => drawNumber({ digits: '1', seed: 1, ...b } as never).then(() => 'drawn', (err: Error) => `${err.name}: ${err.message}`)));
    });
    expect(refusals.map((r) => r.replace(/ from -?[0-9.]+ to [0-9.]+,/, ' from <range>,'))).toEqual([
      'RangeError: drawNumber: digits must be a string of 1 to 16 digits 0-9, got ""',
      'RangeError: drawNumber: digits must be a string of 1 to 16 digits 0-9, got "12345678901234567"',
      'RangeError: drawNumber: digits must be a string of 1 to 16 digits 0-9, got 12',
      'RangeError: drawNumber: spacing must be one of cells, natural, got "wide"',
      'RangeError: drawNumber: slant must be from <range>, got 5',
      'RangeError: drawNumber: thickness must be a finite number, got null',
    ]);
    await page.close();
  });

  it('downloads only the weight sets its draws need: a page drawing default requests never fetches the general set', async () => {
    const page = await chromium.context.newPage();
    const weightFiles: string[] = [];
    // Routing also turns the HTTP cache off, so every download is seen even after the other tests'.
    await page.route(`${origin}/client/*.bin`, (route) => {
      weightFiles.push(new URL(route.request().url()).pathname);
      return route.continue();
    });
    await page.goto(`${origin}/`);
    await importClient(page, '/client.js');
    const fewStep: Case[] = [{ digit: 1, seed: 5 }, { digit: 7, seed: 6, steps: 1, sampler: 'dpmpp' }];
    const general: Case[] = [{ digit: 1, seed: 5, steps: 5 }];
    const drawnFewStep = await drawInPage(page, fewStep);
    expect(weightFiles).toEqual([expect.stringMatching(/^\/client\/few-step-[0-9a-f]{16}\.bin$/)]);
    const drawnGeneral = await drawInPage(page, general);
    expect(weightFiles).toEqual([weightFiles[0], expect.stringMatching(/^\/client\/general-[0-9a-f]{16}\.bin$/)]);
    // Each set once: drawing from the first again downloads nothing more.
    await drawInPage(page, fewStep.slice(0, 1));
    expect(weightFiles).toHaveLength(2);
    for (const [i, c] of [...fewStep, ...general].entries()) expect([...drawnFewStep, ...drawnGeneral][i].pixels, JSON.stringify(c)).toEqual(await workerPixels(c));
    await page.close();
  });

  it('accepts what GET /digit accepts: the limits and defaults GET /model states', async () => {
    const { sampling } = (await (await mf.dispatchFetch(`${origin}/model`)).json()) as {
      sampling: { maxSteps: number; maxGuidance: number; samplers: string[]; defaultSteps: number; defaultGuidance: number; defaultSampler: string };
    };
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/`);
    await importClient(page, '/client.js');
    const refusals = await page.evaluate(async (sampling) => {
      const { drawDigit } = (window as unknown as ClientWindow).digitsClient;
      const bad: Record<string, unknown>[] = [{ digit: 10 }, { digit: 2.5 }, { seed: -1 }, { seed: 2 ** 32 }, { steps: 0 }, { steps: sampling.maxSteps + 1 }, { guidance: -0.5 }, { guidance: sampling.maxGuidance + 0.5 }, { guidance: NaN }, { sampler: 'euler' }];
      return Promise.all(bad.map((b) => drawDigit({ digit: 1, seed: 1, ...b }).then(() => 'drawn', (err: Error) => `${err.name}: ${err.message}`)));
    }, sampling);
    expect(refusals).toEqual([
      'RangeError: drawDigit: digit must be an integer from 0 to 9, got 10',
      'RangeError: drawDigit: digit must be an integer from 0 to 9, got 2.5',
      'RangeError: drawDigit: seed must be an integer from 0 to 4294967295, got -1',
      'RangeError: drawDigit: seed must be an integer from 0 to 4294967295, got 4294967296',
      `RangeError: drawDigit: steps must be an integer from 1 to ${sampling.maxSteps}, got 0`,
      `RangeError: drawDigit: steps must be an integer from 1 to ${sampling.maxSteps}, got ${sampling.maxSteps + 1}`,
      `RangeError: drawDigit: guidance must be a finite number from 0 to ${sampling.maxGuidance}, got -0.5`,
      `RangeError: drawDigit: guidance must be a finite number from 0 to ${sampling.maxGuidance}, got ${sampling.maxGuidance + 0.5}`,
      `RangeError: drawDigit: guidance must be a finite number from 0 to ${sampling.maxGuidance}, got null`,
      `RangeError: drawDigit: sampler must be one of ${sampling.samplers.join(', ')}, got "euler"`,
    ]);
    // The edges of the ranges draw, and draw what the Worker draws; left out, the manifest's defaults apply.
    const edges: Case[] = [
      { digit: 6, seed: 0, steps: sampling.maxSteps, guidance: 1, sampler: 'ddim' },
      { digit: 2, seed: 5, steps: 1, guidance: sampling.maxGuidance },
    ];
    const drawn = await drawInPage(page, [...edges, { digit: 1, seed: 3 }]);
    for (const [i, c] of edges.entries()) expect(drawn[i].pixels).toEqual(await workerPixels(c));
    expect(drawn[2].steps).toBe(sampling.defaultSteps);
    await page.close();
  });

  it('serves the module and its files with CORS, so a page on another origin draws the same digits', async () => {
    const page = await chromium.context.newPage();
    // Another origin: a page from a second server on another port.
    const site = http.createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another site</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void site.close());
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    const [moduleResponse] = await Promise.all([page.waitForResponse(`${origin}/client.js`), importClient(page, `${origin}/client.js`)]);
    expect(moduleResponse.headers()['access-control-allow-origin']).toBe('*');
    const drawn = await drawInPage(page, CASES.slice(0, 2));
    for (const [i, c] of CASES.slice(0, 2).entries()) expect(drawn[i].pixels).toEqual(await workerPixels(c));
    // The drawing thread's module too (it imports ./client.js from the API's origin).
    const [workerResponse] = await Promise.all([page.waitForResponse(`${origin}/draw-worker.js`), importClient(page, `${origin}/draw-worker.js`)]);
    expect(workerResponse.headers()['access-control-allow-origin']).toBe('*');
    // The control: a module from a third origin served without CORS headers cannot be imported from here.
    const plain = http.createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('export const plain = 1;'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void plain.close());
    const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/plain.js`;
    await expect(importClient(page, plainUrl)).rejects.toThrow(/Failed to fetch dynamically imported module/);
    // The same module with CORS is importable: what the control refuses is the missing header, not the server.
    plain.removeAllListeners('request');
    plain.on('request', (_, res) => res.writeHead(200, { 'Content-Type': 'text/javascript', 'Access-Control-Allow-Origin': '*' }).end('export const plain = 2;'));
    await expect(importClient(page, `${plainUrl}?cors`)).resolves.toBeUndefined();
    await page.close();
  });

  it('falls back to the plain wasm binary without WASM SIMD, and reports it', async () => {
    const page = await chromium.context.newPage();
    // A browser without SIMD: tfjs's feature test (WebAssembly.validate on a tiny SIMD module) says no.
    await page.addInitScript(() => {
      WebAssembly.validate = () => false;
    });
    await page.goto(`${origin}/`);
    const wasmFiles: string[] = [];
    page.on('request', (r) => r.url().endsWith('.wasm') && wasmFiles.push(new URL(r.url()).pathname));
    await importClient(page, '/client.js');
    const drawn = await drawInPage(page, CASES.slice(0, 2));
    expect(wasmFiles).toEqual([expect.stringMatching(/^\/client\/tfjs-backend-wasm-[0-9a-f]{16}\.wasm$/)]);
    // Other kernels, yet the same bytes here (docs/client.md: what the fallback keeps of the determinism claim).
    for (const [i, c] of CASES.slice(0, 2).entries()) {
      expect(drawn[i].backend).toBe('wasm');
      expect(drawn[i].pixels).toEqual(await workerPixels(c));
    }
    await page.close();
  });

  // Each set's binary, drawn from by a request its steps pick.
  it.each([
    [FEW_STEP.name, { digit: 3, seed: 1 }],
    [GENERAL.name, { digit: 3, seed: 1, steps: FEW_STEP.sampling.maxSteps! + 1 }],
  ])('refuses %s weights that fail their sha256: a clear error, never a picture', async (set, c) => {
    const binary = binaryName(ASSETS_DIR, '.bin', `${set}-`);
    const outcome = await drawWithAssets((dir) => {
      const file = path.join(dir, 'client', binary);
      const bytes = fs.readFileSync(file);
      bytes[1000] ^= 1; // one bit: same size, different hash
      fs.writeFileSync(file, bytes);
    }, c);
    expect(outcome.message).toMatch(
      new RegExp(`^drawDigit: refusing the weights at ${outcome.origin}/client/${binary}: weights binary sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}$`),
    );
  });

  it('names the file and the status when a download fails', async () => {
    const simd = binaryName(ASSETS_DIR, '.wasm', 'simd');
    const outcome = await drawWithAssets((dir) => fs.rmSync(path.join(dir, 'client', simd)));
    expect(outcome.message).toBe(`drawDigit: could not load ${outcome.origin}/client/${simd}: 404 Not Found`);
  });
});

/** The hashed file in `dir`/client/ with this extension (and part of its name). */
function binaryName(dir: string, ext: string, part = ''): string {
  return fs.readdirSync(path.join(dir, 'client')).find((f) => f.endsWith(ext) && f.includes(part))!;
}

/** Serves a copy of the assets changed by `change`, draws a digit (the default request unless told) from it in Chromium, and returns how that ended. */
async function drawWithAssets(change: (dir: string) => void, c: Case = { digit: 3, seed: 1 }): Promise<{ origin: string; message: string }> {
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-assets-'));
  fs.cpSync(ASSETS_DIR, assets, { recursive: true });
  change(assets);
  const worker = new Miniflare(bundledWorkerOptions(BUNDLE_DIR, assets));
  try {
    const origin = (await worker.ready).origin;
    const page = await chromium.context.newPage();
    await page.goto(`${origin}/`);
    await importClient(page, '/client.js');
    const message = await page.evaluate(async (c) => {
      const { drawDigit } = (window as unknown as ClientWindow).digitsClient;
      return drawDigit(c).then(
        (d) => `drew ${d.pixels.length} pixels`,
        (err: Error) => err.message,
      );
    }, c);
    await page.close();
    return { origin, message };
  } finally {
    await worker.dispose();
    fs.rmSync(assets, { recursive: true, force: true });
  }
}
