/**
 * reports/frontier.png: accuracy against FID ÷ floor, one panel per space
 * (the selection space first, then the reporting spaces), one curve per
 * model through its guidance sweep; served settings ringed, chosen ones boxed.
 */
import { Canvas, type MarkerShape, type Rgb } from '../plot/canvas';
import { drawLegend, drawPanel, INK, type Series } from '../plot/chart';
import { SPACE_LABELS, SPACE_NAMES } from '../spaces';
import { accuracyFor, spaceScore } from './compare';
import type { FrontierReport } from './report';

const COLOURS: Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [148, 103, 189],
  [255, 127, 14],
];
const SHAPES: MarkerShape[] = ['circle', 'square', 'triangle', 'diamond'];
const PANEL = { width: 420, height: 340 };

export function frontierFigure(r: FrontierReport): Uint8Array {
  const canvas = new Canvas(PANEL.width * SPACE_NAMES.length, PANEL.height + 60);
  const title = `Guidance ${r.settings.guidance[0]}-${r.settings.guidance[r.settings.guidance.length - 1]} on reporting seeds ${r.seeds.reporting.first}-${r.seeds.reporting.last}; chosen on selection seeds ${r.seeds.selection.first}-${r.seeds.selection.last}`;
  canvas.text(10, 8, title, INK);
  let series: Series[] = [];
  SPACE_NAMES.forEach((space, i) => {
    const reader = accuracyFor(space);
    series = r.models.map((m, k) => ({
      label: `${m.name} (${r.choices.find((c) => c.model === m.name)?.steps} steps)`,
      colour: COLOURS[k % COLOURS.length],
      shape: SHAPES[k % SHAPES.length],
      points: r.results
        .filter((x) => x.model === m.name)
        .map((x) => ({
          x: spaceScore(x, space).fidRatio,
          y: 100 * x.reporting.accuracy[reader].accuracy,
          ring: x.served,
          box: x.chosen,
          label: x.settings.guidance === r.settings.guidance[0] || x.served ? `${x.settings.guidance}` : undefined,
        })),
    }));
    drawPanel(canvas, i * PANEL.width, 24, PANEL.width, PANEL.height, {
      title: SPACE_LABELS[space],
      xLabel: 'FID ÷ real-vs-real floor',
      yLabel: `accuracy %, ${reader} classifier`,
      series,
      xRefs: [{ at: 1, label: 'real' }],
      yRefs: [{ at: 100 * r.settings.accuracyFloor, label: `${100 * r.settings.accuracyFloor}` }],
    });
  });
  drawLegend(canvas, 12, PANEL.height + 36, series, { ring: 'served guidance', box: 'chosen on selection seeds' });
  return canvas.png();
}
