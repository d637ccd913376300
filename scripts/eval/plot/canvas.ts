/**
 * A tiny raster canvas for report figures: RGB pixels on white, lines,
 * markers and bitmap text (font.ts), encoded by the project's own PNG
 * encoder (src/image/png.ts). Integer pixel coordinates; nothing is
 * anti-aliased, so the same figures give the same bytes.
 */
import { encodeRgbaPng } from '../../../src/image/png';
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from './font';

export type Rgb = readonly [number, number, number];
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond';

export class Canvas {
  readonly rgba: Uint8Array;
  /** While set, drawing outside this rectangle (inclusive bounds) leaves the pixels as they are. */
  clip: { left: number; top: number; right: number; bottom: number } | null = null;

  constructor(readonly width: number, readonly height: number) {
    this.rgba = new Uint8Array(width * height * 4).fill(255);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    if (this.clip && (x < this.clip.left || x > this.clip.right || y < this.clip.top || y > this.clip.bottom)) return;
    const o = 4 * (y * this.width + x);
    this.rgba[o] = r;
    this.rgba[o + 1] = g;
    this.rgba[o + 2] = b;
  }

  rect(x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, colour);
  }

  /** A line `thickness` pixels wide; `dash` [on, off] in pixels along it. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1, dash?: [number, number]): void {
    const length = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(length * 2));
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      if (dash && (s / 2) % (dash[0] + dash[1]) >= dash[0]) continue;
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) this.set(x + dx, y + dy, colour);
    }
  }

  /** A marker centred on (x, y), `size` pixels across; `filled` false draws its outline only. */
  marker(x: number, y: number, shape: MarkerShape, size: number, colour: Rgb, filled = true): void {
    const r = size / 2;
    for (let dy = -Math.ceil(r); dy <= Math.ceil(r); dy++) {
      for (let dx = -Math.ceil(r); dx <= Math.ceil(r); dx++) {
        const inside = (rr: number) => insideShape(shape, dx, dy, rr);
        if (inside(r) && (filled || !inside(r - 1.5))) this.set(x + dx, y + dy, colour);
      }
    }
  }

  /** Text with its top-left corner at (x, y), `scale` pixels per font pixel; returns its width. */
  text(x: number, y: number, text: string, colour: Rgb, scale = 1): number {
    [...text].forEach((ch, i) => {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) if (rows[r][c]) this.rect(x + (i * (GLYPH_WIDTH + 1) + c) * scale, y + r * scale, scale, scale, colour);
      }
    });
    return textWidth(text, scale);
  }

  /** Text turned 90° anticlockwise (reads bottom to top), its bottom-left at (x, y). */
  verticalText(x: number, y: number, text: string, colour: Rgb, scale = 1): void {
    [...text].forEach((ch, i) => {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) if (rows[r][c]) this.rect(x + r * scale, y - (i * (GLYPH_WIDTH + 1) + c + 1) * scale, scale, scale, colour);
      }
    });
  }

  png(): Uint8Array {
    return encodeRgbaPng(this.rgba, this.width, this.height);
  }
}

export function textWidth(text: string, scale = 1): number {
  return [...text].length * (GLYPH_WIDTH + 1) * scale - scale;
}

function insideShape(shape: MarkerShape, dx: number, dy: number, r: number): boolean {
  if (r <= 0) return false;
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= r;
    case 'triangle':
      // Apex up: the half-width grows from 0 at the top (dy = −r) to r at the base (dy = r).
      return dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2;
  }
}
