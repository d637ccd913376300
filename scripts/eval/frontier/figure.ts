/**
 * reports/frontier.png: accuracy against FID ÷ floor, one panel per space
 * (the selection space first, then the reporting spaces), one curve per
 * model through its guidance sweep; served settings ringed, chosen ones boxed.
 * Accuracy below 90 % (guidance near 1) is off the chart, so that the
 * region the choices are made in, around 99 %, is not squeezed flat.
 */
import { Canvas, type MarkerShape, type Rgb } from '../plot/canvas';
import { drawLegend, drawPanel, INK, type Series } from '../plot/chart';
import { SPACE_LABELS, SPACE_NAMES, type SpaceName } from '../spaces';
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
const ACCURACY_SHOWN_FROM = 90;

export function frontierFigure(r: FrontierReport): Uint8Array {
  const canvas = new Canvas(PANEL.width * SPACE_NAMES.length, PANEL.height + 60);
  const title = `Guidance ${r.settings.guidance[0]}-${r.settings.guidance[r.settings.guidance.length - 1]} on reporting seeds ${r.seeds.reporting.first}-${r.seeds.reporting.last}; chosen on selection seeds ${r.seeds.selection.first}-${r.seeds.selection.last}; accuracy below ${ACCURACY_SHOWN_FROM}% off the chart`;
  canvas.text(10, 8, title, INK);
  // The lowest guidance still on the chart gets its value written beside it, as do the served ones.
  const lowestShown = (model: string, space: SpaceName) =>
    Math.min(...r.results.filter((x) => x.model === model && 100 * x.reporting.accuracy[accuracyFor(space)].accuracy >= ACCURACY_SHOWN_FROM).map((x) => x.settings.guidance));
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
          label: x.settings.guidance === lowestShown(x.model, space) || x.served ? `${x.settings.guidance}` : undefined,
        })),
    }));
    drawPanel(canvas, i * PANEL.width, 24, PANEL.width, PANEL.height, {
      title: SPACE_LABELS[space],
      xLabel: 'FID ÷ real-vs-real floor',
      yLabel: `accuracy %, ${reader} classifier`,
      series,
      yFloor: ACCURACY_SHOWN_FROM,
      xRefs: [{ at: 1, label: 'real' }],
      yRefs: [{ at: 100 * r.settings.accuracyFloor, label: `${100 * r.settings.accuracyFloor}` }],
    });
  });
  drawLegend(canvas, 12, PANEL.height + 36, series, { ring: 'served guidance', box: 'chosen on selection seeds' });
  return canvas.png();
}
