/**
 * The page at GET / in real headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core), served by the bundled Worker in workerd on 127.0.0.1:
 * generate a digit, watch it load, inpaint through the UI, restyle, draw in
 * the browser step by step, take the defaults from GET /model, and check the
 * layout on a phone-sized screen; then the hand (slant and thickness sliders
 * ranged by GET /model, left out of the query on "any") and a number written
 * in one hand through GET /number; and the guidance field following the steps
 * for a set that defaults long runs otherwise. Screenshots go to test-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type Browser } from './helpers/browser';
import { withSampling } from '../scripts/set-sampling';
import type { Manifest } from '../src/model/weights';
import { bundleWithSampling, decodeGreyPng, FEW_STEP, GENERAL, HAND, startWorker } from './helpers/worker';

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
async function open(page: Page, at = origin): Promise<void> {
  await page.goto(`${at}/`);
  await page.waitForFunction(() => (document.getElementById('sampler') as unknown as { value: string }).value !== '');
}
/** The grey level of every pixel an <img> shows, at its natural size (Playwright gives no body for the page's fetches). */
const shownPixels = (page: Page, selector: string) =>
  page.$eval(selector, (img) => {
    const { naturalWidth: w, naturalHeight: h } = img as HTMLImageElement;
    const g = Object.assign(document.createElement('canvas'), { width: w, height: h }).getContext('2d')!;
    g.drawImage(img as HTMLImageElement, 0, 0);
    return Array.from(g.getImageData(0, 0, w, h).data.filter((_, i) => i % 4 === 0));
  });
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
    await generate(page);
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

interface ServedModel {
  sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string };
  weightSets: { name: string; sampling: { defaultSteps: number; defaultSampler: string; hand?: true }; style: { descriptors: Record<'slant' | 'thickness', { range: [number, number]; percentiles: { p50: number } }> } | null }[];
  guidanceBySteps: { weightSet: string; steps: [number, number]; defaultGuidance: number; hand?: true }[];
}

/** The page opened at `at`, with the errors its script throws. */
async function openWatched(at = origin): Promise<{ page: Page; failures: string[] }> {
  const page = await browser.newPage();
  const failures: string[] = [];
  page.on('pageerror', (err) => failures.push(err.message));
  await open(page, at);
  return { page, failures };
}
const generate = (page: Page) => page.getByRole('button', { name: 'Generate', exact: true }).click();
/** What dragging a slider does: a new value, then an input event. */
const drag = (page: Page, label: string, value: string) =>
  page.getByLabel(label, { exact: true }).evaluate((el, v) => {
    (el as HTMLInputElement).value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);

describe('the hand and numbers on the demo page', { timeout: 240_000 }, () => {
  let model: ServedModel;
  /** The query the page sends for its sampling fields at their defaults and seed 42, in its order. */
  let sampling: string;
  /**
   * The same while a hand or a number is asked for: the fields show the defaults of the set that
   * draws every request in a hand (sampling.hand; GET /model's guidanceBySteps and weightSets).
   */
  let styledSampling: string;
  beforeAll(async () => {
    model = (await (await mf.dispatchFetch(`${origin}/model`)).json()) as ServedModel;
    const s = model.sampling;
    const query = (steps: number, guidance: number, sampler: string) => new URLSearchParams({ steps: String(steps), seed: '42', guidance: String(guidance), sampler }).toString();
    sampling = query(s.defaultSteps, s.defaultGuidance, s.defaultSampler);
    const hand = model.weightSets.find((set) => set.sampling.hand)!;
    const steps = hand.sampling.defaultSteps;
    const span = model.guidanceBySteps.find((g) => g.hand && steps >= g.steps[0] && steps <= g.steps[1])!;
    styledSampling = query(steps, span.defaultGuidance, hand.sampling.defaultSampler);
  });
  const statusText = (page: Page) => page.locator('#status').textContent();
  const settled = (page: Page) => page.waitForFunction(() => /^(Drew|Wrote|Error)/.test(document.getElementById('status')!.textContent!));

  it('takes the sliders’ ranges from GET /model, and on “any” sends the very requests it sent without them', async () => {
    const { page, failures } = await openWatched();
    const styled = model.weightSets.find((set) => set.style)!.style!;
    for (const [label, d] of [['Slant', 'slant'], ['Thickness', 'thickness']] as const) {
      const slider = page.getByLabel(label, { exact: true });
      const { range, percentiles } = styled.descriptors[d];
      expect(await slider.evaluate((el) => [(el as HTMLInputElement).min, (el as HTMLInputElement).max, (el as HTMLInputElement).value, (el as HTMLInputElement).disabled])).toEqual([String(range[0]), String(range[1]), String(percentiles.p50), false]);
      expect(await page.getByLabel(`Any ${d}`).isChecked()).toBe(true);
      await expect(page.locator(`#${d}-value`).textContent()).resolves.toBe('any');
    }

    // Unset: the URLs the page built before it had a hand, and no X-Style in the answer.
    const plainPng = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    const plainApng = page.waitForRequest((r) => r.url().includes('/digit/3.apng'));
    await generate(page);
    const plain = await plainPng;
    expect(plain.url()).toBe(`${origin}/digit/3.png?${sampling}&size=280`);
    expect((await plainApng).url()).toBe(`${origin}/digit/3.apng?${sampling}`);
    expect(plain.status()).toBe(200);
    expect(await plain.headerValue('x-style')).toBeNull();
    await loaded(page, '#png');
    await expect(statusText(page)).resolves.toBe('Drew a 3 with seed 42.');
    const plainPixels = await shownPixels(page, '#png');

    // A hand: one slider dragged, the other stepped with the keyboard.
    await drag(page, 'Slant', '0.3');
    await page.getByLabel('Thickness', { exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    const thickness = (styled.descriptors.thickness.percentiles.p50 + 0.001).toFixed(3);
    expect([await page.getByLabel('Any slant').isChecked(), await page.getByLabel('Any thickness').isChecked()]).toEqual([false, false]);
    await expect(page.locator('#thickness-value').textContent()).resolves.toBe(thickness);
    const styledPng = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    const styledApng = page.waitForResponse((r) => r.url().includes('/digit/3.apng'));
    await generate(page);
    const drawn = await styledPng;
    expect(drawn.url()).toBe(`${origin}/digit/3.png?${styledSampling}&size=280&slant=0.3&thickness=${thickness}`);
    expect(drawn.status()).toBe(200);
    expect(await drawn.headerValue('x-style')).toBe(`slant=0.3, thickness=${thickness}`);
    const apng = await styledApng;
    expect([apng.url(), apng.status()]).toEqual([`${origin}/digit/3.apng?${styledSampling}&slant=0.3&thickness=${thickness}`, 200]);
    await page.waitForFunction(() => /^Drew a 3 with seed 42 in the hand/.test(document.getElementById('status')!.textContent!));
    await expect(statusText(page)).resolves.toBe(`Drew a 3 with seed 42 in the hand slant=0.3, thickness=${thickness}.`);
    await loaded(page, '#png');
    await loaded(page, '#apng');
    expect(await shownPixels(page, '#png')).not.toEqual(plainPixels);

    // Back to any slant: only the thickness is asked for, and the answer names the slant it completed.
    await page.getByLabel('Any slant').check();
    await expect(page.locator('#slant-value').textContent()).resolves.toBe('any');
    const half = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    await generate(page);
    const thick = await half;
    expect(thick.url()).toBe(`${origin}/digit/3.png?${styledSampling}&size=280&thickness=${thickness}`);
    expect(await thick.headerValue('x-style')).toMatch(new RegExp(`^slant=-?[\\d.]+, thickness=${thickness}$`));
    expect(failures).toEqual([]);
    await page.close();
  });

  it('writes a number in one hand on the edge, shows the hand it was drawn in, and writes it again in that hand', async () => {
    const { page, failures } = await openWatched();
    const noDigit = (r: { url(): string }) => expect(r.url()).not.toMatch(/\/digit\//);
    page.on('request', noDigit);
    await page.getByLabel('Number').fill('2026');
    const first = page.waitForResponse((r) => r.url().includes('/number/'));
    await generate(page);
    const written = await first;
    expect(written.url()).toBe(`${origin}/number/2026.png?${styledSampling}&size=112&spacing=cells`);
    expect(written.status()).toBe(200);
    const hand = (await written.headerValue('x-style'))!;
    expect(hand).toMatch(/^slant=-?[\d.]+, thickness=[\d.]+$/);
    await loaded(page, '#number-png');
    expect(await page.$eval('#number-png', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight])).toEqual([4 * 112, 112]);
    await expect(page.locator('#number-style').textContent()).resolves.toBe(hand);
    await settled(page);
    await expect(statusText(page)).resolves.toBe(`Wrote 2026 with seed 42 in the hand ${hand}.`);
    await expect(page.getByRole('img', { name: `2026 handwritten in one hand: ${hand}, seed 42` }).isVisible()).resolves.toBe(true);
    const writtenSrc = await page.$eval('#number-png', (img) => (img as HTMLImageElement).src);
    const writtenPixels = await shownPixels(page, '#number-png');

    // That hand onto the sliders: the same seed and hand write the same picture.
    await page.getByRole('button', { name: 'Use this hand' }).click();
    const [slant, thickness] = hand.split(', ').map((kv) => kv.split('=')[1]);
    expect(await page.getByLabel('Slant', { exact: true }).inputValue()).toBe(slant);
    expect(await page.getByLabel('Thickness', { exact: true }).inputValue()).toBe(thickness);
    const again = page.waitForResponse((r) => r.url().includes('/number/'));
    await generate(page);
    const rewritten = await again;
    expect(rewritten.url()).toBe(`${origin}/number/2026.png?${styledSampling}&size=112&spacing=cells&slant=${slant}&thickness=${thickness}`);
    expect(await rewritten.headerValue('x-style')).toBe(hand);
    await page.waitForFunction((before) => {
      const img = document.getElementById('number-png') as HTMLImageElement;
      return img.src !== before && img.complete && img.naturalWidth > 0;
    }, writtenSrc);
    expect(await shownPixels(page, '#number-png')).toEqual(writtenPixels);

    // Natural spacing: packed by the ink, narrower, as high.
    await page.getByLabel('Spacing').selectOption('natural');
    const packed = page.waitForResponse((r) => r.url().includes('/number/'));
    await generate(page);
    expect((await packed).url()).toBe(`${origin}/number/2026.png?${styledSampling}&size=112&spacing=natural&slant=${slant}&thickness=${thickness}`);
    await page.waitForFunction(() => (document.getElementById('number-png') as HTMLImageElement).naturalWidth < 4 * 112);
    await loaded(page, '#number-png');
    expect(await page.$eval('#number-png', (img) => (img as HTMLImageElement).naturalHeight)).toBe(112);
    await page.screenshot({ path: path.join(ARTIFACTS, 'page-number.png'), fullPage: true });
    page.off('request', noDigit);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('refuses a malformed number in the browser, and shows the API’s refusal of one over the budget', async () => {
    const { page, failures } = await openWatched();
    const sent: string[] = [];
    page.on('request', (r) => sent.push(r.url()));
    await page.getByLabel('Number').fill('20x6');
    await generate(page);
    expect(await page.getByLabel('Number').evaluate((el) => (el as HTMLInputElement).validity.patternMismatch)).toBe(true);
    expect(sent).toEqual([]);
    await page.getByLabel('Number').fill('1234567890123456');
    await page.getByLabel('Steps').fill('100');
    const refused = page.waitForResponse((r) => r.url().includes('/number/'));
    await generate(page);
    expect((await refused).status()).toBe(400);
    await settled(page);
    await expect(statusText(page)).resolves.toMatch(/^Error: .*16 digits.* is an estimated \d+ ms of CPU, and one request may use 1000 ms/);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('draws in this browser in the chosen hand, the very pixels the edge draws in it', async () => {
    const { page, failures } = await openWatched();
    await page.getByLabel('Draw in this browser').check();
    await drag(page, 'Slant', '-0.2');
    await drag(page, 'Thickness', '3.5');
    await generate(page);
    await settled(page);
    await expect(statusText(page)).resolves.toMatch(/^Drew a 3 with seed 42 in the hand slant=-0\.2, thickness=3\.5 in this browser \(wasm-simd\): \d+ steps in \d+ ms\.$/);
    const painted = await page.$eval('#local', (c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)));
    const edge = await mf.dispatchFetch(`${origin}/digit/3.png?${styledSampling}&slant=-0.2&thickness=3.5`);
    expect(edge.headers.get('X-Style')).toBe('slant=-0.2, thickness=3.5');
    expect(painted).toEqual(Array.from(decodeGreyPng(await edge.arrayBuffer()).grey));
    expect(failures).toEqual([]);
    await page.close();
  });
});

describe('the demo page, for a set that defaults long runs otherwise (sampling.longRuns)', { timeout: 240_000 }, () => {
  let edited: Miniflare;
  beforeAll(() => {
    const manifest = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
    edited = startWorker(bundleWithSampling(GENERAL.version, withSampling(manifest, { longRuns: { fromSteps: 10, defaultGuidance: 4.5 } })));
  });
  afterAll(() => edited?.dispose());

  it('shows the default guidance of the steps asked for, and sends it, until the visitor changes it', async () => {
    const { page, failures } = await openWatched((await edited.ready).origin);
    const guidance = () => page.getByLabel('Guidance').inputValue();
    expect(await guidance()).toBe(String(FEW_STEP.sampling.defaultGuidance));
    await page.getByLabel('Steps').fill('10');
    expect(await guidance()).toBe('4.5');
    await page.getByLabel('Steps').fill('9');
    expect(await guidance()).toBe(String(GENERAL.sampling.defaultGuidance));
    await page.getByLabel('Steps').fill('12');
    expect(await guidance()).toBe('4.5');
    const drawn = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    await generate(page);
    const sent = new URL((await drawn).url()).searchParams;
    expect({ steps: sent.get('steps'), guidance: sent.get('guidance') }).toEqual({ steps: '12', guidance: '4.5' });
    // The visitor's own guidance stays whatever the steps.
    await page.getByLabel('Guidance').fill('3');
    for (const steps of ['20', '4']) {
      await page.getByLabel('Steps').fill(steps);
      expect(await guidance(), steps).toBe('3');
    }
    expect(failures).toEqual([]);
    await page.close();
  });
});

describe('the demo page and the hand set (sampling.hand)', { timeout: 240_000 }, () => {
  it("shows the hand set's steps, guidance and sampler while a hand or a number is asked for, and sends them, until the visitor changes one", async () => {
    const { page, failures } = await openWatched();
    const fields = async () => ({ steps: await page.getByLabel('Steps').inputValue(), guidance: await page.getByLabel('Guidance').inputValue(), sampler: await page.getByLabel('Sampler').inputValue() });
    const plain = { steps: String(FEW_STEP.sampling.defaultSteps), guidance: String(FEW_STEP.sampling.defaultGuidance), sampler: FEW_STEP.sampling.defaultSampler };
    const inHand = { steps: String(HAND.sampling.defaultSteps), guidance: String(HAND.sampling.defaultGuidance), sampler: HAND.sampling.defaultSampler };
    // The test means something only while the hand's defaults differ from the default request's.
    expect(inHand).not.toEqual(plain);
    expect(await fields()).toEqual(plain);
    await drag(page, 'Slant', '0.1');
    expect(await fields()).toEqual(inHand);
    const drawn = page.waitForResponse((r) => r.url().includes('/digit/3.png'));
    await generate(page);
    const sent = new URL((await drawn).url()).searchParams;
    expect({ steps: sent.get('steps'), guidance: sent.get('guidance'), sampler: sent.get('sampler') }).toEqual(inHand);
    await page.getByLabel('Any slant').check();
    expect(await fields()).toEqual(plain);
    await page.getByLabel('Number').fill('2026');
    expect(await fields()).toEqual(inHand);
    await page.getByLabel('Number').fill('');
    expect(await fields()).toEqual(plain);
    // The visitor's own steps stay; the guidance and sampler still follow the hand at them.
    await page.getByLabel('Steps').fill('6');
    await drag(page, 'Slant', '0.1');
    expect(await fields()).toEqual({ ...inHand, steps: '6' });
    // And the visitor's own sampler stays too.
    const other = HAND.sampling.defaultSampler === 'ddim' ? 'dpmpp' : 'ddim';
    await page.getByLabel('Sampler').selectOption(other);
    await page.getByLabel('Any slant').check();
    await drag(page, 'Slant', '0.2');
    expect(await fields()).toEqual({ ...inHand, steps: '6', sampler: other });
    expect(failures).toEqual([]);
    await page.close();
  });
});
