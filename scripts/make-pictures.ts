/**
 * The documentation's pictures, made by asking the bundled Worker (in workerd, with
 * the committed weights) exactly what docs/api.md's curl examples ask:
 *   npm run pictures
 * Writes docs/*.png. Deterministic: same weights, same pictures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GreyImage } from '../src/image/grey';
import { encodePng, grid } from '../src/image/png';
import { launchChromium } from '../test/helpers/browser';
import { decodeGreyPng, startWorker } from '../test/helpers/worker';
import buildWorker from '../test/setup/build-worker';
import { exitOnHelp } from './cli/help';

const OUT = path.resolve('docs');

exitOnHelp(`Usage: npm run pictures
  Builds the Worker, runs it in workerd, asks it the documentation's example requests and
  writes the pictures the README and docs/ show: docs/digit.png, digit-animation.png, sheet.png,
  inpaint.png, restyle.png, and docs/page.png (the playground in headless Chromium). No flags.`);

buildWorker();
const mf = startWorker();
const origin = (await mf.ready).origin;

async function call(route: string, init?: { method: string; headers: Record<string, string>; body: Uint8Array }): Promise<Uint8Array<ArrayBuffer>> {
  // Through Miniflare's own dispatch, as the tests ask: with Node's fetch, two runs on a loaded machine
  // (load average 12) failed midway with "other side closed".
  const res = await mf.dispatchFetch(`${origin}${route}`, init);
  const body = new Uint8Array(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${route}: ${res.status} ${new TextDecoder().decode(body)}`);
  return body;
}
const grey = (png: Uint8Array): GreyImage => {
  const d = decodeGreyPng(png.slice().buffer);
  return { width: d.width, height: d.height, pixels: d.grey };
};
const save = (name: string, bytes: Uint8Array) => {
  fs.writeFileSync(path.join(OUT, name), bytes);
  console.log(`docs/${name}: ${bytes.length} bytes`);
};
/** Equal-sized pictures side by side, each framed in grey so black backgrounds do not merge. */
function strip(images: GreyImage[]): GreyImage {
  const framed = images.map(({ width, height, pixels }) => ({
    width,
    height,
    pixels: pixels.map((v, i) => (i % width < 2 || i % width >= width - 2 || i < 2 * width || i >= (height - 2) * width ? 128 : v)),
  }));
  return grid(framed, framed.length);
}

save('digit.png', await call('/digit/5.png?seed=42&size=112'));
save('digit-animation.png', await call('/digit/5.apng?seed=42&steps=20&size=112'));
save('sheet.png', await call('/sheet.png?seed=0&steps=10'));

// Inpainting: a 3 drawn at 280 px, its lower half masked and redrawn as an 8, plain and with RePaint resampling.
const three = await call('/digit/3.png?seed=7&size=280');
const mask = { width: 280, height: 280, pixels: new Uint8Array(280 * 280).fill(255, 140 * 280) };
const inpaint = (query: string) => call(`/inpaint?${query}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: three });
const plain = await inpaint('digit=8&seed=2&mask=0,140,280,140');
const repaint = await inpaint('digit=8&seed=2&steps=20&resample=5&mask=0,140,280,140');
save('inpaint.png', encodePng(strip([grey(three), mask, grey(plain), grey(repaint)])));

// Restyling: the same 3 turned toward an 8 at rising strength.
const restyled = [grey(three)];
for (const strength of [0.4, 0.6, 0.8, 1]) {
  restyled.push(grey(await call(`/restyle?to=8&strength=${strength}&seed=3`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: three })));
}
save('restyle.png', encodePng(strip(restyled)));

// The page, after generating a digit.
const chromium = await launchChromium({ width: 1000, height: 800 });
const page = await chromium.context.newPage();
await page.goto(`${origin}/`);
// The form's steps, guidance and sampler arrive from GET /model; Generate needs them.
await page.waitForFunction(() => (document.getElementById('sampler') as unknown as { value: string }).value !== '');
await page.getByRole('button', { name: 'Generate', exact: true }).click();
await page.waitForFunction(() => ['png', 'apng'].every((id) => (document.getElementById(id) as HTMLImageElement).naturalWidth > 0));
const screenshot = path.join(OUT, 'page.png');
await page.screenshot({ path: screenshot });
console.log(`docs/page.png: ${fs.statSync(screenshot).size} bytes`);
await chromium.close();
await mf.dispose();
