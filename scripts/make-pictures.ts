/**
 * The documentation's pictures, made by asking the bundled Worker (in workerd, with
 * the committed weights) exactly what docs/api.md's curl examples ask:
 *   npm run pictures
 * Writes docs/*.png. Deterministic: same weights, same pictures.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GreyImage } from '../src/image/grey';
import { encodePng, grid, upscaleNearest } from '../src/image/png';
import { measureStyle } from '../src/image/style';
import { launchChromium } from '../test/helpers/browser';
import { decodeGreyPng, startWorker } from '../test/helpers/worker';
import buildWorker from '../test/setup/build-worker';
import { loadMnist } from './train/mnist';
import { exitOnHelp } from './cli/help';

const OUT = path.resolve('docs');

exitOnHelp(`Usage: npm run pictures
  Builds the Worker, runs it in workerd, asks it the documentation's example requests and
  writes the pictures the README and docs/ show: docs/digit.png, digit-animation.png, sheet.png,
  inpaint.png, restyle.png, hands.png, style-grid.png, imitate.png, served-vs-mnist.png, and docs/page.png (the
  playground in headless Chromium). No flags.`);

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
/** Equal-sized pictures in a grid, each framed in grey so black backgrounds do not merge. */
function framedGrid(images: GreyImage[], columns: number): GreyImage {
  const framed = images.map(({ width, height, pixels }) => ({
    width,
    height,
    pixels: pixels.map((v, i) => (i % width < 2 || i % width >= width - 2 || i < 2 * width || i >= (height - 2) * width ? 128 : v)),
  }));
  return grid(framed, columns);
}
const strip = (images: GreyImage[]) => framedGrid(images, images.length);
/** A `spacing=cells` number cut back into its square cells. */
function cells(number: GreyImage): GreyImage[] {
  const side = number.height;
  return Array.from({ length: number.width / side }, (_, c) => ({
    width: side,
    height: side,
    pixels: Uint8Array.from({ length: side * side }, (_, i) => number.pixels[Math.floor(i / side) * number.width + c * side + (i % side)]),
  }));
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

// Style: the hands are the general set's training percentiles, as GET /model lists them.
const model = JSON.parse(new TextDecoder().decode(await call('/model'))) as {
  weightSets: { style: { descriptors: Record<'slant' | 'thickness', { percentiles: Record<'p5' | 'p50' | 'p95', number> }> } | null }[];
};
const style = model.weightSets.find((set) => set.style)?.style;
if (!style) throw new Error('GET /model lists no weight set with style inputs');
const { slant, thickness } = style.descriptors;
const hand = (s: 'p5' | 'p50' | 'p95', t: 'p5' | 'p50' | 'p95') => `slant=${slant.percentiles[s]}&thickness=${thickness.percentiles[t]}`;

// The same number, the same noise, in five hands.
const hands: GreyImage[] = [];
for (const [s, t] of [['p50', 'p50'], ['p5', 'p5'], ['p95', 'p5'], ['p5', 'p95'], ['p95', 'p95']] as const) {
  hands.push(grey(await call(`/number/2026.png?seed=7&size=56&${hand(s, t)}`)));
}
save('hands.png', encodePng(framedGrid(hands, 1)));

// One digit with one noise: slant left to right, thickness top to bottom (5th, 50th, 95th percentiles).
const styled: GreyImage[] = [];
for (const t of ['p5', 'p50', 'p95'] as const) {
  for (const s of ['p5', 'p50', 'p95'] as const) styled.push(grey(await call(`/digit/4.png?seed=5&size=56&${hand(s, t)}`)));
}
save('style-grid.png', encodePng(framedGrid(styled, 3)));

// A real writer's 7 (the MNIST test set's most slanted among its first hundred sevens), and 0-9 in that hand.
const test = loadMnist('test');
const sevens = [...test.labels.keys()].filter((i) => test.labels[i] === 7).slice(0, 100);
const digitAt = (i: number) => test.images.subarray(i * 784, (i + 1) * 784);
const source = sevens.reduce((best, i) => (measureStyle(digitAt(i)).slant > measureStyle(digitAt(best)).slant ? i : best));
const real: GreyImage = { width: 28, height: 28, pixels: digitAt(source).slice() };
const upload = { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: encodePng(real) };
const imitated = grey(await call('/imitate?digits=0123456789&seed=1&size=56', upload));
save('imitate.png', encodePng(strip([upscaleNearest(real, 56, 56), ...cells(imitated)])));

// Served digits beside real ones at the same scale: MNIST's first eight test digits of each class,
// then the default request's and steps=10's sheets (digits down, seeds 1-8 across).
const mnistSheet = grid(
  Array.from({ length: 10 }, (_, d) => [...test.labels.keys()].filter((i) => test.labels[i] === d).slice(0, 8)).flat().map((i): GreyImage => ({ width: 28, height: 28, pixels: digitAt(i).slice() })),
  8,
);
const served = [grey(await call('/sheet.png?seed=1&seeds=8')), grey(await call('/sheet.png?seed=1&seeds=8&steps=10'))];
save('served-vs-mnist.png', encodePng(strip([mnistSheet, ...served])));

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
