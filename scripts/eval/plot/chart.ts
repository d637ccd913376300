/**
 * One chart panel on a Canvas: a frame, axes with ticks at round values and
 * their labels, dashed reference lines, and one polyline of markers per
 * series, with rings and squares around the points a series marks.
 */
import { Canvas, textWidth, type MarkerShape, type Rgb } from './canvas';
import { GLYPH_HEIGHT } from './font';

export interface ChartPoint {
  x: number;
  y: number;
  /** Drawn with a ring around it (e.g. a served setting). */
  ring?: boolean;
  /** Drawn with a square around it (e.g. the chosen setting). */
  box?: boolean;
  /** A few characters beside the point (e.g. its guidance). */
  label?: string;
}

export interface Series {
  label: string;
  colour: Rgb;
  shape: MarkerShape;
  points: ChartPoint[];
}

export interface PanelSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Points below this y are off the chart (their curves run out of the frame); the axes fit the rest. */
  yFloor?: number;
  /** Dashed vertical and horizontal reference lines, each with a short label. */
  xRefs?: { at: number; label: string }[];
  yRefs?: { at: number; label: string }[];
}

export const INK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const REF: Rgb = [120, 120, 120];

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(+(k * step).toPrecision(12));
  return ticks;
}

/** A tick label with just the decimals its spacing needs. */
export function tickLabel(value: number, ticks: number[]): string {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Draws the panel inside the box (left, top, width, height), axes and labels included. */
export function drawPanel(canvas: Canvas, left: number, top: number, width: number, height: number, spec: PanelSpec): void {
  const plot = { left: left + 52, top: top + 22, right: left + width - 10, bottom: top + height - 36 };
  const all = spec.series.flatMap((s) => s.points).filter((p) => spec.yFloor === undefined || p.y >= spec.yFloor);
  const xs = [...all.map((p) => p.x), ...(spec.xRefs ?? []).map((r) => r.at)];
  const ys = [...all.map((p) => p.y), ...(spec.yRefs ?? []).map((r) => r.at)];
  const pad = (lo: number, hi: number) => {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - span * 0.06, hi + span * 0.06] as const;
  };
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [padded0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const y0 = spec.yFloor === undefined ? padded0 : Math.max(padded0, spec.yFloor);
  const px = (x: number) => plot.left + ((x - x0) / (x1 - x0)) * (plot.right - plot.left);
  const py = (y: number) => plot.bottom - ((y - y0) / (y1 - y0)) * (plot.bottom - plot.top);

  canvas.text(left + Math.round((width - textWidth(spec.title, 1)) / 2), top + 4, spec.title, INK);
  const xTicks = niceTicks(x0, x1);
  const yTicks = niceTicks(y0, y1);
  for (const t of xTicks) {
    canvas.line(px(t), plot.top, px(t), plot.bottom, GRID);
    const label = tickLabel(t, xTicks);
    canvas.text(px(t) - textWidth(label) / 2, plot.bottom + 5, label, INK);
  }
  for (const t of yTicks) {
    canvas.line(plot.left, py(t), plot.right, py(t), GRID);
    const label = tickLabel(t, yTicks);
    canvas.text(plot.left - 5 - textWidth(label), py(t) - GLYPH_HEIGHT / 2, label, INK);
  }
  for (const r of spec.xRefs ?? []) {
    canvas.line(px(r.at), plot.top, px(r.at), plot.bottom, REF, 1, [3, 3]);
    canvas.text(px(r.at) + 3, plot.top + 2, r.label, REF);
  }
  for (const r of spec.yRefs ?? []) {
    canvas.line(plot.left, py(r.at), plot.right, py(r.at), REF, 1, [3, 3]);
    canvas.text(plot.right - 2 - textWidth(r.label), py(r.at) + 3, r.label, REF);
  }
  canvas.line(plot.left, plot.top, plot.left, plot.bottom, INK);
  canvas.line(plot.left, plot.bottom, plot.right, plot.bottom, INK);
  canvas.text(plot.left + Math.round((plot.right - plot.left - textWidth(spec.xLabel)) / 2), plot.bottom + 20, spec.xLabel, INK);
  canvas.verticalText(left + 2, plot.top + Math.round((plot.bottom - plot.top + textWidth(spec.yLabel)) / 2), spec.yLabel, INK);

  canvas.clip = plot;
  for (const s of spec.series) {
    // The series' own order (e.g. rising guidance) is the curve.
    const curve = s.points;
    for (let i = 0; i + 1 < curve.length; i++) canvas.line(px(curve[i].x), py(curve[i].y), px(curve[i + 1].x), py(curve[i + 1].y), s.colour, 2);
    for (const p of s.points) {
      canvas.marker(px(p.x), py(p.y), s.shape, 7, s.colour);
      if (p.ring) canvas.marker(px(p.x), py(p.y), 'circle', 17, s.colour, false);
      if (p.box) canvas.marker(px(p.x), py(p.y), 'square', 15, INK, false);
      if (p.label) canvas.text(px(p.x) + 6, py(p.y) - 10, p.label, s.colour);
    }
  }
  canvas.clip = null;
}

/** A legend row: each series' marker and label, left to right from (x, y); ring and box explained after. */
export function drawLegend(canvas: Canvas, x: number, y: number, series: Series[], notes: { ring?: string; box?: string }): void {
  let at = x;
  for (const s of series) {
    canvas.line(at, y + 3, at + 18, y + 3, s.colour, 2);
    canvas.marker(at + 9, y + 3, s.shape, 7, s.colour);
    at += 24 + canvas.text(at + 24, y, s.label, INK) + 16;
  }
  if (notes.ring) {
    canvas.marker(at + 8, y + 3, 'circle', 17, INK, false);
    at += 22 + canvas.text(at + 22, y, notes.ring, INK) + 16;
  }
  if (notes.box) {
    canvas.marker(at + 8, y + 3, 'square', 15, INK, false);
    canvas.text(at + 22, y, notes.box, INK);
  }
}
