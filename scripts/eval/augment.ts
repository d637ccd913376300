/**
 * Training-time augmentations of the evaluation classifiers, one per
 * instrument so that the two do not share what they learned to ignore:
 *  - shift: whole-pixel shifts of up to ±2 px (the selection classifier);
 *  - affine: rotation ±15°, scale 0.9-1.1 and sub-pixel shifts of up to ±2 px
 *    about the centre, bilinear (the reporting classifier).
 * Each writes one digit as ink in [0, 1] into `out` (784 values).
 */
import type { Rng } from '../../src/model/rng';

export type AugmentName = 'shift' | 'affine';
export const AUGMENTS: readonly AugmentName[] = ['shift', 'affine'];

const SIDE = 28;
const MAX_SHIFT = 2;
const MAX_ROTATION = (15 * Math.PI) / 180;
const SCALE_RANGE = 0.1;

export function augmentDigit(kind: AugmentName, src: Uint8Array, out: Float32Array, rng: Rng): void {
  if (kind === 'shift') {
    const dx = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const dy = rng.int(2 * MAX_SHIFT + 1) - MAX_SHIFT;
    shiftDigit(src, out, dx, dy);
  } else {
    const angle = (2 * rng.uniform() - 1) * MAX_ROTATION;
    const scale = 1 + (2 * rng.uniform() - 1) * SCALE_RANGE;
    affineDigit(src, out, angle, scale, (2 * rng.uniform() - 1) * MAX_SHIFT, (2 * rng.uniform() - 1) * MAX_SHIFT);
  }
}

/** out(x, y) = src(x − dx, y − dy), 0 outside. */
export function shiftDigit(src: Uint8Array, out: Float32Array, dx: number, dy: number): void {
  out.fill(0);
  for (let y = 0; y < SIDE; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= SIDE) continue;
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < SIDE) out[y * SIDE + x] = src[sy * SIDE + sx] / 255;
    }
  }
}

/**
 * The digit rotated by `angle`, scaled by `scale` about the centre, then
 * shifted by (dx, dy): each output pixel samples the source bilinearly at the
 * inverse-mapped point, 0 outside.
 */
export function affineDigit(src: Uint8Array, out: Float32Array, angle: number, scale: number, dx: number, dy: number): void {
  const c = (SIDE - 1) / 2;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const at = (x: number, y: number) => (x >= 0 && x < SIDE && y >= 0 && y < SIDE ? src[y * SIDE + x] : 0);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const u = x - c - dx;
      const v = y - c - dy;
      const sx = cos * u + sin * v + c;
      const sy = -sin * u + cos * v + c;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * SIDE + x] = (top * (1 - fy) + bottom * fy) / 255;
    }
  }
}
