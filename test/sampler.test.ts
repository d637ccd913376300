/** The sampler's output contract, on the shipped weights: clean black backgrounds, strokes intact. */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawDigits } from '../src/model/generate';
import { BACKGROUND_SNAP_GREY, SAMPLERS, type Model } from '../src/model/sampler';
import { NoiseSchedule } from '../src/model/schedule';
import { loadWeights } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';

let served: Model;
beforeAll(async () => {
  await useWasm();
  const bin = fs.readFileSync('weights/model.bin');
  const { manifest, params } = await loadWeights(JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length));
  served = { params, unet: manifest.architecture, schedule: new NoiseSchedule(manifest.schedule) };
});

describe('background', () => {
  it.each(SAMPLERS)('%s: no faint haze; most of the picture is exact black and the strokes stay bright', async (sampler) => {
    const digits = Array.from({ length: 20 }, (_, i) => i % 10);
    const images = await drawDigits(served, { digits, seeds: digits.map((_, i) => 100 + i), steps: 4, guidance: 2, sampler });
    const pixels = images.flatMap((im) => Array.from(im.pixels));
    const share = (test: (p: number) => boolean) => pixels.filter(test).length / pixels.length;
    expect(share((p) => p > 0 && p <= BACKGROUND_SNAP_GREY)).toBe(0);
    expect(share((p) => p === 0)).toBeGreaterThan(0.7);
    // Every digit keeps real ink: snapping the haze must not eat strokes.
    for (const im of images) expect(im.pixels.filter((p) => p > 200).length).toBeGreaterThan(20);
  });
});
