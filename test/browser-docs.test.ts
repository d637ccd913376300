/**
 * GET /docs in headless Chromium with every origin but the Worker's blocked:
 * Swagger UI must come from the Worker's own static assets and render the
 * OpenAPI document. The page is opened as https://digits.example, each request
 * handed to the bundled Worker in workerd, rather than on 127.0.0.1: a deployed
 * Worker's situation (Swagger UI treats localhost specially).
 */
import fs from 'node:fs';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './helpers/browser';
import { startWorker } from './helpers/worker';

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
