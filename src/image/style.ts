/**
 * How a digit is written, measured from its pixels: the one definition of
 * "style" that training, the API, the browser client and eval share.
 *
 *  - slant: the horizontal shear that makes the digit upright, from its
 *    intensity-weighted second moments (as in MNIST deskewing): x leans by
 *    `slant` pixels per pixel of height. Positive leans right (/), negative left (\).
 *  - thickness: mean stroke width in pixels, ink area over stroke length.
 *    Ink is counted in grey levels (a 50 % grey pixel is half a pixel of ink),
 *    so anti-aliased rims count as the partial ink they are. The stroke length
 *    is the Zhang-Suen skeleton's (of the pixels at least half inked), plus
 *    half a width at each of its free ends, where thinning eats into the stroke.
 */

export interface Style {
  slant: number;
  thickness: number;
}

/** How much stroke, in widths, thinning removes at each free end (measured on synthetic bars). */
const END_LOSS = 0.75;

/** Pixels at or above this grey level (of 255) count as stroke for the skeleton. */
const STROKE_LEVEL = 128;

/** Style of a square grey image (0 = background, 255 = ink), `side` × `side`, row-major. */
export function measureStyle(grey: ArrayLike<number>, side = 28): Style {
  return { slant: slantOf(grey, side), thickness: thicknessOf(grey, side) };
}

/** −cov(x, y) / var(y) of the ink, y pointing down; 0 for an image with no ink or no height. */
export function slantOf(grey: ArrayLike<number>, side: number): number {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const w = grey[y * side + x];
      mass += w;
      sx += w * x;
      sy += w * y;
    }
  }
  if (mass === 0) return 0;
  const mx = sx / mass;
  const my = sy / mass;
  let xy = 0;
  let yy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const w = grey[y * side + x];
      xy += w * (x - mx) * (y - my);
      yy += w * (y - my) * (y - my);
    }
  }
  // Rows grow downwards, so a stroke leaning right has x falling as y grows: negate.
  return yy === 0 ? 0 : -xy / yy;
}

/**
 * Width t with ink = t · (skeleton length + ends · END_LOSS · t): ink in whole pixels;
 * 0 for an image with no stroke.
 */
export function thicknessOf(grey: ArrayLike<number>, side: number): number {
  let ink = 0;
  const stroke = new Uint8Array(side * side);
  for (let i = 0; i < side * side; i++) {
    ink += grey[i] / 255;
    stroke[i] = grey[i] >= STROKE_LEVEL ? 1 : 0;
  }
  const { length, ends } = skeletonOf(stroke, side);
  if (length === 0) return 0;
  if (ends === 0) return ink / length;
  // The positive root of END_LOSS·ends·t² + length·t − ink = 0.
  return (Math.sqrt(length * length + 4 * ends * END_LOSS * ink) - length) / (2 * ends * END_LOSS);
}

/**
 * The Zhang-Suen skeleton of a binary image, measured: its length along the
 * links between neighbouring skeleton pixels, by the corner-count estimator of
 * Vossepoel & Smeulders (1982), 0.980 per straight link + 1.406 per diagonal
 * link − 0.091 per change of direction, unbiased for digitised lines at any
 * angle (a plain pixel count reads a 45° stroke 29 % short), and its free ends.
 */
export function skeletonOf(binary: Uint8Array, side: number): { length: number; ends: number } {
  const skel = thin(binary, side);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < side && y < side ? skel[y * side + x] : 0);
  let straight = 0;
  let diagonal = 0;
  let corners = 0;
  let ends = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (!at(x, y)) continue;
      // This pixel's links: straight neighbours, and diagonal ones no straight pair already joins.
      const links: [number, number][] = [];
      for (const [dx, dy] of NEIGHBOURS) {
        if (!at(x + dx, y + dy)) continue;
        if (dx && dy && (at(x + dx, y) || at(x, y + dy))) continue;
        links.push([dx, dy]);
        // Each link is met from both ends: count half at each.
        if (dx && dy) diagonal += 0.5;
        else straight += 0.5;
      }
      if (links.length === 1) ends++;
      if (links.length === 2 && (links[0][0] !== -links[1][0] || links[0][1] !== -links[1][1])) corners++;
    }
  }
  return { length: Math.max(0, 0.98 * straight + 1.406 * diagonal - 0.091 * corners), ends };
}

const NEIGHBOURS = [[-1, -1], [0, -1], [1, -1], [-1, 0], [1, 0], [-1, 1], [0, 1], [1, 1]] as const;

/** Zhang-Suen thinning (1984): peels boundary pixels in two alternating sub-passes until none change. */
export function thin(binary: Uint8Array, side: number): Uint8Array {
  const img = Uint8Array.from(binary);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < side && y < side ? img[y * side + x] : 0);
  const remove: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const pass of [0, 1]) {
      remove.length = 0;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (!img[y * side + x]) continue;
          // Neighbours P2..P9, clockwise from north.
          const p = [at(x, y - 1), at(x + 1, y - 1), at(x + 1, y), at(x + 1, y + 1), at(x, y + 1), at(x - 1, y + 1), at(x - 1, y), at(x - 1, y - 1)];
          const neighbours = p.reduce((a, b) => a + b, 0);
          if (neighbours < 2 || neighbours > 6) continue;
          let transitions = 0;
          for (let i = 0; i < 8; i++) if (!p[i] && p[(i + 1) % 8]) transitions++;
          if (transitions !== 1) continue;
          const [n, e, s, w] = [p[0], p[2], p[4], p[6]];
          if (pass === 0 ? n * e * s || e * s * w : n * e * w || n * s * w) continue;
          remove.push(y * side + x);
        }
      }
      for (const i of remove) img[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return img;
}
