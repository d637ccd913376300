/**
 * Style descriptors (src/image/style.ts) on strokes of known slant and width,
 * drawn anti-aliased as MNIST's are, and on MNIST itself.
 */
import { describe, expect, it } from 'vitest';
import { measureStyle, thin } from '../src/image/style';
import { loadMnist } from '../scripts/train/mnist';

/** A bar `width` px wide and `height` tall through the centre, sheared by `slant` (x grows by slant per px upwards), 8×8 supersampled. */
function bar(width: number, height: number, slant: number): Uint8Array {
  const img = new Uint8Array(784);
  const S = 8;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let covered = 0;
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const px = x + (i + 0.5) / S;
          const py = y + (j + 0.5) / S;
          const centre = 14 + slant * (14 - py);
          if (Math.abs(py - 14) <= height / 2 && Math.abs(px - centre) <= width / 2) covered++;
        }
      }
      img[y * 28 + x] = Math.round((255 * covered) / (S * S));
    }
  }
  return img;
}

describe('measureStyle', () => {
  it.each([-0.4, -0.2, 0, 0.2, 0.4])('reads the slant %s of a bar to within 2 %', (slant) => {
    for (const width of [1.5, 2, 3, 4]) expect(measureStyle(bar(width, 20, slant)).slant).toBeCloseTo(slant, 2);
  });

  it.each([1.5, 2, 2.5, 3, 4, 5])('reads the width %s px of an upright bar to within 10 %', (width) => {
    expect(Math.abs(measureStyle(bar(width, 20, 0)).thickness / width - 1)).toBeLessThan(0.1);
  });

  it.each([1.5, 2, 2.5, 3])('reads the width %s px of bars slanted ±0.3 to within 10 % (of the width across the stroke)', (width) => {
    for (const slant of [-0.3, 0.3]) {
      const across = width / Math.sqrt(1 + slant * slant);
      expect(Math.abs(measureStyle(bar(width, 20, slant)).thickness / across - 1), `slant ${slant}`).toBeLessThan(0.1);
    }
  });

  it('orders thicker strokes above thinner ones at every slant', () => {
    for (const slant of [-0.4, 0, 0.4]) {
      const widths = [1.5, 2, 3, 4, 5].map((w) => measureStyle(bar(w, 20, slant)).thickness);
      for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]);
    }
  });

  it('gives 0 for a blank picture instead of dividing by zero', () => {
    expect(measureStyle(new Uint8Array(784))).toEqual({ slant: 0, thickness: 0 });
  });

  it('thins a thick bar to a one-pixel line', () => {
    const binary = Uint8Array.from(bar(5, 20, 0), (v) => (v >= 128 ? 1 : 0));
    const skeleton = thin(binary, 28);
    for (let y = 0; y < 28; y++) expect(skeleton.slice(y * 28, y * 28 + 28).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    expect(skeleton.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });

  it("spreads MNIST's test digits over a handwriting-like range", () => {
    const { images, count } = loadMnist('test');
    const styles = Array.from({ length: 1000 }, (_, i) => measureStyle(images.subarray(i * 784, (i + 1) * 784)));
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
    expect(count).toBe(10000);
    // Most writers lean right a little; strokes are 2-3 px wide at 28×28.
    expect(median(styles.map((s) => s.slant))).toBeGreaterThan(0);
    expect(median(styles.map((s) => s.slant))).toBeLessThan(0.3);
    expect(median(styles.map((s) => s.thickness))).toBeGreaterThan(1.8);
    expect(median(styles.map((s) => s.thickness))).toBeLessThan(3.2);
  });
});
