/**
 * Inpainting masks: one byte per upload pixel, 1 where the picture is
 * regenerated and 0 where it is kept. Given as a PNG (white = regenerate, black
 * or transparent = keep, the upload's size) or as a rectangle in the upload's pixels.
 */
import { ApiError } from '../errors';
import type { GreyImage } from './grey';

export type Mask = Uint8Array;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function maskFromImage(mask: GreyImage, image: GreyImage): Mask {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new ApiError(400, 'invalid_mask', `the mask is ${mask.width}×${mask.height} pixels but the image is ${image.width}×${image.height}; they must match`);
  }
  return mask.pixels.map((v) => (v >= 128 ? 1 : 0));
}

export function maskFromRect(rect: Rect, image: GreyImage): Mask {
  const { x, y, width, height } = rect;
  if (x + width > image.width || y + height > image.height) {
    throw new ApiError(400, 'invalid_mask', `the mask rectangle ${x},${y},${width},${height} leaves the ${image.width}×${image.height} image`);
  }
  const mask = new Uint8Array(image.width * image.height);
  for (let row = y; row < y + height; row++) mask.fill(1, row * image.width + x, row * image.width + x + width);
  return mask;
}

/**
 * The mask on the model's side×side grid: a model pixel is regenerated when any
 * upload pixel inside it is, so even a thin mask changes something.
 */
export function maskToModel(mask: Mask, width: number, height: number, side: number): Mask {
  const out = new Uint8Array(side * side);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * side) / height) * side;
    for (let x = 0; x < width; x++) if (mask[y * width + x]) out[row + Math.floor((x * side) / width)] = 1;
  }
  return out;
}

/** The upload where the mask keeps it, byte for byte; `generated` elsewhere. */
export function composite(kept: GreyImage, generated: GreyImage, mask: Mask): GreyImage {
  return { ...kept, pixels: kept.pixels.map((v, i) => (mask[i] ? generated.pixels[i] : v)) };
}
