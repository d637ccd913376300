/**
 * The grey-level census of 28×28 digits: how much of the picture is exact
 * black, how much faint grey (1-32), and whether that faint grey sits on the
 * rims of strokes (an 8-neighbour brighter than 128), as MNIST's
 * anti-aliasing does (99.6 % of its faint pixels), or spreads over the
 * background as haze. And the ring around the strokes (pixels beside ink):
 * in MNIST about half of it is exact black; a network's haze survives there,
 * where no post-process may touch it without touching the rims too.
 */
export const FAINT_MAX = 32;
export const INK_ABOVE = 128;
const SIDE = 28;

export interface GreyCensus {
  /** Share of pixels exactly 0. */
  black: number;
  /** Share of pixels 1-32. */
  faint: number;
  /** Share of the 1-32 pixels with an 8-neighbour above 128 (NaN when there are none). */
  faintTouchingInk: number;
  /** Share of exact black among the pixels beside ink (at most 128, with an 8-neighbour above 128). */
  blackBesideInk: number;
  pixels: number;
}

/** Census of `count` digits of 784 grey bytes each. */
export function greyCensus(pixels: Uint8Array, count: number): GreyCensus {
  let black = 0;
  let faint = 0;
  let rim = 0;
  let beside = 0;
  let besideBlack = 0;
  for (let n = 0; n < count; n++) {
    const img = pixels.subarray(n * SIDE * SIDE, (n + 1) * SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = img[y * SIDE + x];
        const nextToInk = v <= INK_ABOVE && touchesInk(img, x, y);
        if (nextToInk) beside++;
        if (v === 0) {
          black++;
          if (nextToInk) besideBlack++;
        } else if (v <= FAINT_MAX) {
          faint++;
          if (nextToInk) rim++;
        }
      }
    }
  }
  const total = count * SIDE * SIDE;
  return { black: black / total, faint: faint / total, faintTouchingInk: faint ? rim / faint : NaN, blackBesideInk: beside ? besideBlack / beside : NaN, pixels: total };
}

function touchesInk(img: Uint8Array, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx;
      const ny = y + dy;
      if ((dx || dy) && nx >= 0 && nx < SIDE && ny >= 0 && ny < SIDE && img[ny * SIDE + nx] > INK_ABOVE) return true;
    }
  }
  return false;
}
