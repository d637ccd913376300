/**
 * The API from a browser (Debian's headless Chromium via playwright-core, the
 * bundled Worker in workerd on 127.0.0.1):
 * - a page on another origin (another port on 127.0.0.1, served by the test:
 *   Chromium refuses loopback requests from pages without a loopback address)
 *   calls every route with fetch, preflights included, and reads the headers
 *   the API exposes;
 * - GET /docs renders the OpenAPI document in Swagger UI with every other origin
 *   blocked: Swagger UI comes from the Worker's own static assets. The page is
 *   opened as https://digits.example, each request handed to the bundled Worker,
 *   rather than on 127.0.0.1: a deployed Worker's situation (Swagger UI treats
 *   localhost specially).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './helpers/browser';
import { greyPng } from './helpers/png';
import { startWorker } from './helpers/worker';

/** Where the /docs test opens the page (see above). */
const SITE = 'https://digits.example';

let mf: Miniflare;
let api: string;
let chromium: Browser;

beforeAll(async () => {
  chromium = await launchChromium();
  mf = startWorker();
  api = (await mf.ready).origin;
});

afterAll(async () => {
  await chromium?.close();
  await mf?.dispose();
});

interface Seen {
  status?: number;
  type?: string | null;
  seed?: string | null;
  etag?: string | null;
  cache?: string | null;
  serverTiming?: string | null;
  error?: string;
  failed?: string;
}

describe('CORS', () => {
  it('lets a page on another origin call every route and read X-Seed, X-Cache, ETag and Server-Timing', { timeout: 120_000 }, async () => {
    const page = await chromium.context.newPage();
    const server = http.createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await page.goto(`${elsewhere}/`);
    expect(new URL(page.url()).origin).not.toBe(api);

    const picture = [...greyPng(40, 30, Array.from({ length: 1200 }, (_, i) => (i * 7) % 256))];
    const seen = await page.evaluate(
      async ({ api, picture }) => {
        const png = new Uint8Array(picture);
        const out: Record<string, Seen> = {};
        const call = async (label: string, path: string, init?: RequestInit) => {
          try {
            const res = await fetch(api + path, init);
            const h = res.headers;
            out[label] = { status: res.status, type: h.get('content-type'), seed: h.get('x-seed'), etag: h.get('etag'), cache: h.get('x-cache'), serverTiming: h.get('server-timing') };
            if (h.get('content-type')?.startsWith('application/json') && res.status >= 400) out[label].error = ((await res.json()) as { error: string }).error;
            else await res.arrayBuffer();
          } catch (err) {
            out[label] = { failed: String(err) };
          }
        };
        await call('png', '/digit/3.png?seed=5&steps=2');
        // If-None-Match is not a CORS-safelisted header: this one is preflighted.
        await call('png304', '/digit/3.png?seed=5&steps=2', { headers: { 'If-None-Match': out.png.etag ?? '' } });
        await call('pngHit', '/digit/3.png?steps=2&seed=5');
        await call('apng', '/digit/3.apng?seed=5&steps=2');
        await call('sheet', '/sheet.png?digits=12&seeds=2&seed=1&steps=1');
        await call('model', '/model');
        await call('healthz', '/healthz');
        await call('openapi', '/openapi.json');
        await call('docs', '/docs');
        await call('page', '/');
        // Content-Type image/png is not safelisted either: preflighted.
        await call('restyle', '/restyle?to=8&strength=0.5&steps=2&seed=3', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
        const form = new FormData();
        form.append('image', new Blob([png], { type: 'image/png' }), 'a.png');
        await call('inpaint', '/inpaint?digit=8&steps=2&seed=2&mask=0,15,40,15', { method: 'POST', body: form });
        await call('badDigit', '/digit/10.png');
        await call('notFound', '/nowhere');
        // Server-Timing through the Resource Timing API too (Timing-Allow-Origin).
        const timing = performance.getEntriesByName(`${api}/digit/3.apng?seed=5&steps=2`)[0] as PerformanceResourceTiming | undefined;
        return { out, resourceTiming: timing?.serverTiming.map((t) => t.name) ?? [] };
      },
      { api, picture },
    );

    const { out, resourceTiming } = seen;
    for (const [label, answer] of Object.entries(out)) expect(answer.failed, label).toBeUndefined();
    expect(out.png).toMatchObject({ status: 200, type: 'image/png', seed: '5', cache: 'MISS' });
    expect(out.png.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(out.png.serverTiming).toMatch(/model;dur=[\d.]+/);
    expect(out.png304.status).toBe(304);
    expect(out.pngHit).toMatchObject({ status: 200, cache: 'HIT' });
    expect(out.pngHit.serverTiming).toMatch(/^cache;desc="hit";dur=[\d.]+$/);
    expect(out.apng).toMatchObject({ status: 200, type: 'image/apng', seed: '5' });
    expect(out.sheet).toMatchObject({ status: 200, type: 'image/png', seed: '1' });
    for (const label of ['model', 'healthz', 'openapi']) expect(out[label], label).toMatchObject({ status: 200, type: 'application/json' });
    for (const label of ['docs', 'page']) expect(out[label].status, label).toBe(200);
    for (const label of ['restyle', 'inpaint']) {
      expect(out[label], label).toMatchObject({ status: 200, type: 'image/png' });
      expect(out[label].serverTiming, label).toMatch(/decode;dur=.*model;dur=.*encode;dur=/);
    }
    expect(out.restyle.seed).toBe('3');
    expect(out.badDigit).toMatchObject({ status: 400, error: 'invalid_digit' });
    expect(out.notFound).toMatchObject({ status: 404, error: 'not_found' });
    expect(resourceTiming).toEqual(expect.arrayContaining(['model', 'encode']));
    await page.close();
    server.close();
  });

  it('answers a preflight on every route', async () => {
    for (const path of ['/', '/digit/5.png', '/digit/5.apng', '/sheet.png', '/inpaint', '/restyle', '/model', '/healthz', '/openapi.json', '/docs', '/nowhere']) {
      const res = await mf.dispatchFetch(`${api}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, if-none-match' },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-methods'), path).toBe('GET,HEAD,POST,OPTIONS');
      expect(res.headers.get('access-control-allow-headers'), path).toBe('content-type,if-none-match');
    }
  });
});

describe('GET /docs', () => {
  it('renders every operation of the OpenAPI document from the Worker alone, asking no other origin', { timeout: 120_000 }, async () => {
    const page = await chromium.context.newPage();
    const blocked: string[] = [];
    const served: string[] = [];
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) failures.push(msg.text());
    });
    await page.route('**/*', async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (url.origin !== SITE) {
        blocked.push(url.href);
        return route.abort('blockedbyclient');
      }
      served.push(url.pathname);
      const res = await mf.dispatchFetch(`${api}${url.pathname}${url.search}`, { method: request.method(), headers: request.headers(), body: request.postDataBuffer() ?? undefined });
      return route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
    });

    const docs = await page.goto(`${SITE}/docs`, { timeout: 60_000 });
    expect(docs?.status()).toBe(200);
    expect(await docs?.headerValue('content-security-policy')).toMatch(/script-src 'self'/);
    await page.waitForSelector('.opblock-summary-path', { timeout: 60_000 });

    const operations = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
    );
    const documented = (await (await mf.dispatchFetch(`${api}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(documented.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.sort()).toEqual(expected.sort());
    // Open one operation: its parameters, with their ranges, come from the document.
    await page.click('.opblock-get:has([data-path="/digit/{digit}.png"]) .opblock-summary');
    await page.waitForSelector('.parameters-container tr[data-param-name="steps"]', { timeout: 60_000 });
    expect(await page.textContent('.parameters-container')).toMatch(/steps[\s\S]*integer/);

    fs.mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/docs.png', fullPage: true });
    expect(blocked).toEqual([]);
    expect(served).toEqual(expect.arrayContaining(['/docs', '/openapi.json', expect.stringMatching(/^\/swagger-ui\/[\d.]+\/swagger-ui-dist\/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
    expect(failures).toEqual([]);
    await page.close();
  });
});
