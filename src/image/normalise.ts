/**
 * Between a picture as uploaded and the model's view of it. The model speaks
 * MNIST: white ink on black, 28×28. Uploads come either way round; in a digit
 * picture the border is background, so a light border means dark ink on light
 * paper, which is inverted on the way in and back again on the way out.
 */
import type { GreyImage } from './grey';
import { resize } from './resize';

export interface ModelView {
  /** side×side, white ink on black. */
  image: GreyImage;
  /** Whether the upload was dark on light (and the answer must be too). */
  inverted: boolean;
}

export function toModelView(image: GreyImage, side: number): ModelView {
  const inverted = inkIsDark(image);
  const small = resize(image, side, side);
  return { image: inverted ? invert(small) : small, inverted };
}

/** A model-space picture at the upload's size and polarity. */
export function fromModelView(image: GreyImage, width: number, height: number, inverted: boolean): GreyImage {
  const large = resize(image, width, height);
  return inverted ? invert(large) : large;
}

/** Mean of the one-pixel frame above the middle grey. */
export function inkIsDark(image: GreyImage): boolean {
  const { width: w, height: h, pixels } = image;
  let sum = 0;
  for (let x = 0; x < w; x++) sum += pixels[x] + pixels[(h - 1) * w + x];
  for (let y = 0; y < h; y++) sum += pixels[y * w] + pixels[y * w + w - 1];
  return sum / (2 * (w + h)) > 127.5;
}

function invert(image: GreyImage): GreyImage {
  return { ...image, pixels: image.pixels.map((v) => 255 - v) };
}
