/**
 * The eval sample sheet: one block per configuration, left to right in the
 * order of the report's table; in each block, digits 0-9 top to bottom and the
 * first few samples of each digit across. Every configuration uses the same
 * seeds, so a column follows one noise draw through steps, samplers,
 * guidance and precision. Blocks are separated by a mid-grey bar.
 */
import type { GreyImage } from '../../src/image/grey';
import { encodePng, grid, upscaleNearest } from '../../src/image/png';
import type { GeneratedSet } from './evaluate';

const GAP = 4;
const GAP_GREY = 128;

/** The first `samples` digits of each class of a class-major set, as a 10-row block. */
export function sheetBlock(set: GeneratedSet, perClass: number, samples: number): GreyImage {
  const images: GreyImage[] = [];
  for (let c = 0; c < 10; c++) {
    for (let s = 0; s < Math.min(samples, perClass); s++) {
      const i = c * perClass + s;
      images.push({ width: 28, height: 28, pixels: set.pixels.subarray(i * 784, (i + 1) * 784) });
    }
  }
  return grid(images, Math.min(samples, perClass));
}

/** Blocks side by side with grey gaps, scaled ×`scale`, as PNG bytes. */
export function sheetPng(blocks: GreyImage[], scale = 2): Uint8Array {
  const height = Math.max(...blocks.map((b) => b.height));
  const width = blocks.reduce((w, b) => w + b.width, 0) + GAP * (blocks.length - 1);
  const out: GreyImage = { width, height, pixels: new Uint8Array(width * height).fill(GAP_GREY) };
  let x0 = 0;
  for (const block of blocks) {
    for (let y = 0; y < block.height; y++) out.pixels.set(block.pixels.subarray(y * block.width, (y + 1) * block.width), y * width + x0);
    x0 += block.width + GAP;
  }
  return encodePng(upscaleNearest(out, width * scale, height * scale));
}
