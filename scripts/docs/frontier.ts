/** docs/quality.md's frontier block, from reports/frontier.json: the served and chosen points of every model, in every space. */
import type { FrontierReport } from '../eval/frontier/report';
import { spaceScore } from '../eval/frontier/compare';
import type { FrontierResult } from '../eval/frontier/sweep';
import { fixed, markdownTable } from '../eval/reports';
import { SPACE_LABELS, SPACE_NAMES } from '../eval/spaces';
import { day, percent } from './reports';

export function frontierBlock(r: FrontierReport): string {
  const marked = r.results.filter((x) => x.served || x.chosen);
  const label = (x: FrontierResult) => [x.served ? 'served' : '', x.chosen ? 'chosen' : ''].filter(Boolean).join(', ');
  const rows = marked.map((x) => [
    x.model,
    `${x.settings.steps} ${x.settings.sampler}, w ${x.settings.guidance}`,
    label(x),
    `${percent(x.reporting.accuracy.selection.accuracy)} / ${percent(x.reporting.accuracy.reporting.accuracy)}`,
    ...SPACE_NAMES.map((s) => `${fixed(spaceScore(x, s).fidRatio, 2)} (${fixed(spaceScore(x, s).manifold.recall, 2)})`),
    `${percent(x.reporting.census.raw.black)} / ${percent(x.reporting.census.raw.faint)}`,
    `${percent(x.reporting.census.served.black)} / ${percent(x.reporting.census.served.faint)}`,
  ]);
  const interval = r.settings.guidanceInterval ? `, guided only at ${r.settings.guidanceInterval.from}·T ≤ t ≤ ${r.settings.guidanceInterval.to}·T` : '';
  const table = markdownTable(
    ['model', 'setting', 'point', 'accuracy (selection / reporting classifier)', ...SPACE_NAMES.map((s) => `FID ÷ floor (recall), ${SPACE_LABELS[s]}`), 'raw: black / faint 1-32', 'served: black / faint 1-32'],
    rows,
    [false, false, false, true, ...SPACE_NAMES.map(() => true), true, true],
  );
  const census = r.reference.census;
  return `\`${r.command}\` of ${day(r.date)} (${Math.round(r.wallSeconds / 60)} min${interval}): reporting seeds ${r.seeds.reporting.first}-${r.seeds.reporting.last} (${r.seeds.reporting.digits} digits per point), settings chosen on selection seeds ${r.seeds.selection.first}-${r.seeds.selection.last}. MNIST: ${percent(census.black)} black, ${percent(census.faint)} faint. Every row: [reports/frontier.md](../reports/frontier.md).

![Accuracy against FID ÷ floor, one panel per space](../reports/frontier.png)

${table}`;
}
