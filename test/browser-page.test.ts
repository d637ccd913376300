/**
 * The page at GET / in real headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core), served by the bundled Worker in workerd on 127.0.0.1:
 * generate a digit, watch it load, inpaint through the UI, restyle, draw in
 * the browser step by step, take the defaults from GET /model, and check the
 * layout on a phone-sized screen. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type Browser } from './helpers/browser';
import { decodeGreyPng, startWorker } from './helpers/worker';

const ARTIFACTS = path.resolve('test-artifacts');

let mf: Miniflare;
let origin: string;
let chromium: Browser;
let browser: BrowserContext;

beforeAll(async () => {
  chromium = await launchChromium();
  browser = chromium.context;
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  mf = startWorker();
  origin = (await mf.ready).origin; // Miniflare listens on 127.0.0.1, on a free port
});

afterAll(async () => {
  await chromium?.close();
  await mf?.dispose();
});

const loaded = (page: Page, selector: string) =>
  page.waitForFunction((s) => {
    const img = document.querySelector<HTMLImageElement>(s);
    return !!img && img.complete && img.naturalWidth > 0;
  }, selector);
/** The page, once it has filled its fields from GET /model (a field filled before that would keep its value anyway). */
async function open(page: Page): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (document.getElementById('sampler') as unknown as { value: string }).value !== '');
}
const naturalWidth = (page: Page, selector: string) => page.$eval(selector, (img) => (img as HTMLImageElement).naturalWidth);

// Generous: Chromium, workerd and the draws share the CPU with whatever else runs (minutes, under CI load).
describe('the demo page', { timeout: 240_000 }, () => {
  it('takes its defaults and limits from GET /model, and accepts any guidance in range', async () => {
    const page = await browser.newPage();
    await open(page);
    const model = (await (await mf.dispatchFetch(`${origin}/model`)).json()) as { sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string; maxSteps: number; maxGuidance: number } };
    const { defaultSteps, defaultGuidance, defaultSampler, maxSteps, maxGuidance } = model.sampling;
    const field = (id: string) => page.$eval(`#${id}`, (el) => ({ value: (el as HTMLInputElement).value, max: (el as HTMLInputElement).max, valid: (el as HTMLInputElement).checkValidity() }));
    expect(await field('steps')).toEqual({ value: String(defaultSteps), max: String(maxSteps), valid: true });
    expect(await field('guidance')).toEqual({ value: String(defaultGuidance), max: String(maxGuidance), valid: true });
    expect((await field('sampler')).value).toBe(defaultSampler);
    // Guidance is a real number: no step grid refuses the served default or any other scale.
    for (const g of ['2.25', '1.37', '0', String(maxGuidance)]) {
      await page.getByLabel('Guidance').fill(g);
      expect((await field('guidance')).valid, g).toBe(true);
    }
    await page.getByLabel('Guidance').fill(String(defaultGuidance));
    const drawn = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    const sent = new URL((await drawn).url()).searchParams;
    expect({ steps: sent.get('steps'), guidance: sent.get('guidance'), sampler: sent.get('sampler') }).toEqual({ steps: String(defaultSteps), guidance: String(defaultGuidance), sampler: defaultSampler });
    await page.close();
  });

  it('generates a digit, shows its PNG and animation, inpaints and restyles through the UI', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    await open(page);
    await expect(page.title()).resolves.toBe('Edge diffusion digits');

    await page.getByLabel('Digit', { exact: true }).selectOption('4');
    await page.getByLabel('Steps').fill('6');
    await page.getByLabel('Seed').fill('1234');
    await page.getByLabel('Sampler').selectOption('ddim');
    const drawn = page.waitForResponse((r) => r.url().includes('/digit/4.png'));
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    expect((await drawn).status()).toBe(200);
    await loaded(page, '#png');
    await loaded(page, '#apng');
    expect(await naturalWidth(page, '#png')).toBe(280);
    expect(await naturalWidth(page, '#apng')).toBeGreaterThan(0);
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Drew a 4 with seed 1234/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-generated.png'), fullPage: true });

    // Draw a stroke across the mask with the mouse, then inpaint.
    const box = (await page.locator('#mask').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.6);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.2 + 0.06 * i), box.y + box.height * 0.6);
    await page.mouse.up();
    await page.getByLabel('Draw in the mask').selectOption('7');
    const inpainted = page.waitForResponse((r) => r.url().includes('/inpaint?'));
    await page.getByRole('button', { name: 'Inpaint', exact: true }).click();
    const inpaint = await inpainted;
    expect(inpaint.status()).toBe(200);
    expect(await inpaint.request().headerValue('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    await loaded(page, '#inpainted');
    expect(await naturalWidth(page, '#inpainted')).toBe(280);
    // In the browser: every pixel the stroke did not touch is unchanged, and the stroke's pixels changed.
    const { kept, changedUnderStroke } = await page.evaluate(() => {
      const pixels = (source: CanvasImageSource) => {
        const c = document.createElement('canvas');
        c.width = c.height = 280;
        const g = c.getContext('2d')!;
        g.drawImage(source, 0, 0);
        return g.getImageData(0, 0, 280, 280).data;
      };
      const [before, after, mask] = ['source', 'inpainted', 'mask'].map((id) => pixels(document.getElementById(id) as CanvasImageSource));
      let kept = true;
      let changedUnderStroke = 0;
      for (let i = 0; i < 280 * 280; i++) {
        if (mask[4 * i + 3] === 0) kept &&= before[4 * i] === after[4 * i];
        else if (mask[4 * i + 3] === 255 && before[4 * i] !== after[4 * i]) changedUnderStroke++;
      }
      return { kept, changedUnderStroke };
    });
    expect(kept).toBe(true);
    expect(changedUnderStroke).toBeGreaterThan(0);
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Inpainted a 7/);

    const restyled = page.waitForResponse((r) => r.url().includes('/restyle?'));
    await page.getByRole('button', { name: 'Restyle', exact: true }).click();
    expect((await restyled).status()).toBe(200);
    await loaded(page, '#restyled');
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-inpainted.png'), fullPage: true });
    expect(failures).toEqual([]);
    await page.close();
  });

  it('draws in this browser, painting every step, the very pixels the edge draws; then inpaints that digit', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    await open(page);
    await expect(page.getByRole('link', { name: 'API docs' }).getAttribute('href')).resolves.toBe('/docs');
    await page.getByLabel('Draw in this browser').check();
    await page.getByLabel('Digit', { exact: true }).selectOption('4');
    await page.getByLabel('Steps').fill('6');
    await page.getByLabel('Seed').fill('1234');
    await page.getByLabel('Sampler').selectOption('ddim');
    await page.getByLabel('Guidance').fill('1.75');
    // Every caption the canvas gets while drawing: one per step, as the frames arrive.
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { captions: string[] }).captions = []);
      new MutationObserver(() => seen.push(document.getElementById('local-caption')!.textContent!)).observe(document.getElementById('local-caption')!, { childList: true });
    });
    const noEdgeDigit = (r: { url(): string }) => expect(r.url()).not.toMatch(/\/digit\//);
    page.on('request', noEdgeDigit);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.waitForFunction(() => /^(Drew|Error)/.test(document.getElementById('status')!.textContent!));
    await expect(page.locator('#status').textContent()).resolves.toMatch(/^Drew a 4 with seed 1234 in this browser \(wasm-simd\): 6 steps in \d+ ms\.$/);
    page.off('request', noEdgeDigit);
    const captions = await page.evaluate(() => (window as unknown as { captions: string[] }).captions);
    expect(captions.map((c) => /^x̂₀ after step (\d) of 6 \(\d+\.\d ms\)$/.exec(c)?.[1])).toEqual(['1', '2', '3', '4', '5', '6']);
    await expect(page.locator('#step-times').textContent()).resolves.toMatch(/^ms per step: (\d+\.\d, ){5}\d+\.\d$/);
    expect(await page.locator('#png').isVisible()).toBe(false);

    const painted = await page.$eval('#local', (c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)));
    const edge = await mf.dispatchFetch(`${origin}/digit/4.png?seed=1234&steps=6&sampler=ddim&guidance=1.75`);
    expect(painted).toEqual(Array.from(decodeGreyPng(await edge.arrayBuffer()).grey));
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-local.png'), fullPage: true });

    await page.getByRole('button', { name: 'Mask bottom half' }).click();
    const inpainted = page.waitForResponse((r) => r.url().includes('/inpaint?'));
    await page.getByRole('button', { name: 'Inpaint', exact: true }).click();
    expect((await inpainted).status()).toBe(200);
    await loaded(page, '#inpainted');
    expect(failures).toEqual([]);
    await page.close();
  });

  it('reports API errors on the page', async () => {
    const page = await browser.newPage();
    await open(page);
    await page.getByRole('button', { name: 'Inpaint', exact: true }).click();
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Error: generate a digit first/);
    await page.getByLabel('Steps').fill('100');
    await page.getByLabel('Steps').evaluate((el) => el.removeAttribute('max'));
    await page.getByLabel('Steps').fill('500');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.waitForFunction(() => /Error: steps must be an integer from 1 to 100/.test(document.getElementById('status')!.textContent!));
    // The same refusal when drawing in the browser: /client.js checks its options as the API does.
    await page.getByLabel('Draw in this browser').check();
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.waitForFunction(() => /Error: drawDigit: steps must be an integer from 1 to 100, got 500/.test(document.getElementById('status')!.textContent!));
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    await open(page);
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await loaded(page, '#png');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-phone.png'), fullPage: true });
    await page.close();
  });
});
