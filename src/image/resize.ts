/**
 * Resampling grey images to any size, separably (rows, then columns), with a
 * tent filter max(1, scale) source pixels wide: plain bilinear when enlarging;
 * when shrinking every source pixel still counts, so a 1024-pixel drawing
 * becomes the model's 28 pixels without aliasing. Equal sizes give back the
 * same pixels. (upscaleNearest in png.ts stays for crisp generated digits.)
 */
import type { GreyImage } from './grey';

export function resize(image: GreyImage, width: number, height: number): GreyImage {
  const across = taps(image.width, width);
  const down = taps(image.height, height);
  const rows = new Float64Array(image.height * width);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [i, w] of across[x]) sum += w * image.pixels[y * image.width + i];
      rows[y * width + x] = sum;
    }
  }
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [j, w] of down[y]) sum += w * rows[j * width + x];
      pixels[y * width + x] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return { width, height, pixels };
}

/** For each output index: the source indices it reads and their weights (summing to 1). */
function taps(from: number, to: number): [number, number][][] {
  const scale = from / to;
  const support = Math.max(1, scale);
  return Array.from({ length: to }, (_, o) => {
    const centre = (o + 0.5) * scale - 0.5;
    const weights: [number, number][] = [];
    for (let i = Math.ceil(centre - support); i <= Math.floor(centre + support); i++) {
      const w = 1 - Math.abs(i - centre) / support;
      if (w > 0) weights.push([Math.min(from - 1, Math.max(0, i)), w]);
    }
    const total = weights.reduce((s, [, w]) => s + w, 0);
    return weights.map(([i, w]) => [i, w / total]);
  });
}
