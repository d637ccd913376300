/**
 * What POST /inpaint and POST /restyle do to a picture, with the served model in
 * workerd: inpainting draws in the masked region (a no-op, or keeping the wrong
 * side, leaves it as uploaded), and restyling keeps less of the picture the
 * higher the strength, most of it at 0.3, none of it at 1. The exact maths of
 * both is checked with a closed-form denoiser in test/sampler-closed-form.test.ts;
 * these check the served pipeline around it (mask and picture into the model's
 * view, the composite back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { loadMnist } from '../scripts/train/mnist';
import { decodeGreyPng, startWorker } from './helpers/worker';
import { greyPng } from './helpers/png';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

async function post(path: string, pixels: Uint8Array): Promise<Uint8Array> {
  const res = await mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: greyPng(28, 28, pixels) });
  const body = new Uint8Array(await res.arrayBuffer());
  expect(res.status, new TextDecoder().decode(body.subarray(0, 300))).toBe(200);
  const png = decodeGreyPng(body.buffer as ArrayBuffer);
  expect([png.width, png.height]).toEqual([28, 28]);
  return png.grey;
}

function correlation(a: Uint8Array, b: Uint8Array): number {
  const mean = (p: Uint8Array) => p.reduce((s, v) => s + v, 0) / p.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('POST /inpaint draws where the mask says', () => {
  // A blank picture with a 20×20 hole: whatever ink the answer has, inpainting drew it.
  const RECT = { x: 4, y: 4, w: 20, h: 20 };
  const inRect = (i: number) => i % 28 >= RECT.x && i % 28 < RECT.x + RECT.w && Math.floor(i / 28) >= RECT.y && Math.floor(i / 28) < RECT.y + RECT.h;

  it.each([
    [8, 'ddim', 1],
    [1, 'dpmpp', 1],
    [4, 'ddim', 3],
  ] as const)('digit %i (%s, resample %i): a digit appears inside the mask, steered by the kept pixels; nothing changes outside', async (digit, sampler, resample) => {
    for (const seed of [1, 2]) {
      const out = await post(`/inpaint?digit=${digit}&seed=${seed}&steps=4&sampler=${sampler}&resample=${resample}&mask=${RECT.x},${RECT.y},${RECT.w},${RECT.h}`, new Uint8Array(784));
      const plain = decodeGreyPng(await (await mf.dispatchFetch(`http://localhost/digit/${digit}.png?seed=${seed}&steps=4&sampler=${sampler}`)).arrayBuffer()).grey;
      let ink = 0;
      let unlikePlain = 0;
      out.forEach((v, i) => {
        if (!inRect(i)) expect(v, `pixel ${i} outside the mask`).toBe(0);
        else {
          ink += v > 128 ? 1 : 0;
          unlikePlain += v !== plain[i] ? 1 : 0;
        }
      });
      // A drawn digit has 50-150 pixels of ink; a no-op (or the wrong side kept) leaves the hole blank.
      expect(ink, `ink pixels inside the mask, seed ${seed}`).toBeGreaterThan(20);
      // Same seed, steps and sampler as a plain draw: an inpainting that ignored the kept pixels would
      // follow the plain draw's path exactly (43-158 of the 400 pixels differ when it does not ignore them).
      expect(unlikePlain, `masked pixels unlike GET /digit's, seed ${seed}`).toBeGreaterThan(0);
    }
  });
});

describe('POST /restyle keeps less of the picture the higher the strength', () => {
  const test = loadMnist('test');
  const DIGITS = [0, 1, 2, 3].map((i) => ({ pixels: test.images.slice(i * 784, (i + 1) * 784), label: test.labels[i] }));
  const SEEDS = [1, 2];
  const STRENGTHS = [0.3, 0.5, 0.7, 1];

  it.each(['4', '2'])('toward another digit (%s steps): the mean correlation with the picture falls from 0.3 through 0.5 and 0.7 to 1, and at 0.3 most of the picture survives', async (steps) => {
    const survival: number[] = [];
    for (const strength of STRENGTHS) {
      let sum = 0;
      for (const { pixels, label } of DIGITS) {
        for (const seed of SEEDS) sum += correlation(pixels, await post(`/restyle?to=${(label + 5) % 10}&strength=${strength}&seed=${seed}&steps=${steps}`, pixels));
      }
      survival.push(sum / (DIGITS.length * SEEDS.length));
    }
    for (let k = 1; k < STRENGTHS.length; k++) expect(survival[k], `strength ${STRENGTHS[k]} after ${STRENGTHS[k - 1]}: ${survival}`).toBeLessThan(survival[k - 1]);
    // "Most of the picture survives": closer to the picture itself (correlation 1) than to a fresh digit's correlation with it (strength 1).
    expect(survival[0], `${survival}`).toBeGreaterThan((1 + survival[3]) / 2);
  });
});
