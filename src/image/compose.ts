/**
 * Laying a number's digits out in one picture, white ink on black, at the
 * model's scale (each digit side × side): in square cells side by side, or
 * packed by their ink as handwriting is.
 */
import type { GreyImage } from './grey';
import { grid } from './png';

export const SPACINGS = ['cells', 'natural'] as const;
export type Spacing = (typeof SPACINGS)[number];

/** Grey level from which a pixel counts as ink for packing (the sampler leaves no haze below it). */
const INK = 64;
/** Pixels between the ink of neighbouring digits, row by row: about a sixth of a digit's 20 px height, as between handwritten figures. */
const GAP = 3;
/** Background left of the first digit's ink and right of the last one's: MNIST's own cell margin. */
const MARGIN = 4;
/** How far a blank digit (no ink) moves the next one along. */
const BLANK_ADVANCE = 10;

export function composeNumber(digits: GreyImage[], spacing: Spacing): GreyImage {
  return spacing === 'cells' ? grid(digits, digits.length) : packByInk(digits);
}

/** Each row's leftmost and rightmost ink column of one digit; null for a row without ink. */
function inkRows(image: GreyImage): ({ left: number; right: number } | null)[] {
  return Array.from({ length: image.height }, (_, y) => {
    let left = -1;
    let right = -1;
    for (let x = 0; x < image.width; x++) {
      if (image.pixels[y * image.width + x] < INK) continue;
      if (left < 0) left = x;
      right = x;
    }
    return left < 0 ? null : { left, right };
  });
}

/**
 * Kerning by ink: each digit moves left until, in some row, its ink comes
 * within GAP pixels of ink already placed in that row or the rows beside it
 * (so slanted strokes can nestle), but never so far that its ink starts before
 * the middle of the previous digit's, which keeps the reading order.
 * Overlapping cells are merged by the lighter pixel (ink wins over background).
 */
function packByInk(digits: GreyImage[]): GreyImage {
  const { width: side, height } = digits[0];
  // Rightmost placed ink per row, in canvas columns (−∞ where none yet).
  const placed = new Array<number>(height).fill(-Infinity);
  const offsets: number[] = [];
  let earliestStart = MARGIN;
  let end = MARGIN;
  for (const digit of digits) {
    const rows = inkRows(digit);
    const inked = rows.filter((r) => r !== null);
    if (!inked.length) {
      offsets.push(end - Math.floor(side / 2));
      end += BLANK_ADVANCE;
      earliestStart = end;
      continue;
    }
    const left = Math.min(...inked.map((r) => r.left));
    const right = Math.max(...inked.map((r) => r.right));
    let offset = earliestStart - left;
    rows.forEach((r, y) => {
      if (!r) return;
      const near = Math.max(placed[y - 1] ?? -Infinity, placed[y], placed[y + 1] ?? -Infinity);
      offset = Math.max(offset, near + 1 + GAP - r.left);
    });
    rows.forEach((r, y) => {
      if (r) placed[y] = Math.max(placed[y], offset + r.right);
    });
    offsets.push(offset);
    earliestStart = offset + Math.ceil((left + right) / 2);
    end = Math.max(end, offset + right + 1 + GAP);
  }
  const width = Math.max(...placed.filter(Number.isFinite), end - 1 - GAP) + 1 + MARGIN;
  const out: GreyImage = { width, height, pixels: new Uint8Array(width * height) };
  digits.forEach((digit, i) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < side; x++) {
        const cx = offsets[i] + x;
        if (cx < 0 || cx >= width) continue;
        const at = y * width + cx;
        out.pixels[at] = Math.max(out.pixels[at], digit.pixels[y * side + x]);
      }
    }
  });
  return out;
}
