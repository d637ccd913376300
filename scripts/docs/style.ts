/** docs/quality.md's style block, from reports/style.json: control, imitation and one hand, with the targets. */
import { fixed, markdownTable } from '../eval/reports';
import { STYLE_TARGETS, type StyleReport } from '../eval/style/report';
import { day, percent } from './reports';

export function styleBlock(r: StyleReport): string {
  const t = STYLE_TARGETS;
  const rows = r.results.map((x) => [
    x.model,
    `${x.settings.steps} ${x.settings.sampler}, w ${x.settings.guidance}`,
    `${fixed(x.control.r.slant, 2)} / ${fixed(x.control.r.thickness, 2)}`,
    `${percent(x.control.readAs.selection)} / ${percent(x.control.readAs.reporting)}`,
    `${fixed(x.imitation.r.slant, 2)} / ${fixed(x.imitation.r.thickness, 2)}`,
    `${percent(x.imitation.readAs.selection)} / ${percent(x.imitation.readAs.reporting)}`,
    `${fixed(x.oneHand.ratio.slant, 2)} / ${fixed(x.oneHand.ratio.thickness, 2)}`,
    x.restyle.map((s) => `${s.strength}: ${fixed(s.r.slant, 2)} / ${fixed(s.r.thickness, 2)}, ${percent(s.readAs.selection, 0)}`).join('; '),
  ]);
  const table = markdownTable(
    ['model', 'setting', 'control: r slant / thickness', 'control: read as asked', 'imitation: r slant / thickness', 'imitation: read as asked', 'one hand: within ÷ between, slant / thickness', 'restyle (strength: r slant / thickness, read as asked)'],
    rows,
    [false, false, true, true, true, true, true, false],
  );
  return `\`${r.command}\` of ${day(r.date)} (${Math.round(r.wallSeconds / 60)} min) on ${r.sources.digits} held-out test digits. Targets: control r ≥ ${t.controlR} and ${percent(t.controlReadAs, 0)} read as asked; imitation r ≥ ${t.imitationR} and ${percent(t.imitationReadAs, 0)}; one hand ≤ ${t.oneHandRatio}. Accuracy by the selection / reporting classifier. Every figure, and the baselines with no style given: [reports/style.md](../reports/style.md).

${table}`;
}

/** README: how closely each model follows an asked hand and imitates a writer's, one line per model, with the command. */
export function styleAtAGlance(r: StyleReport): string {
  const t = STYLE_TARGETS;
  const table = markdownTable(
    ['model', 'setting', 'asked vs drawn: r slant / thickness', 'imitated: r slant / thickness'],
    r.results.map((x) => [
      x.model,
      `${x.settings.steps} ${x.settings.sampler}, w ${x.settings.guidance}`,
      `${fixed(x.control.r.slant, 2)} / ${fixed(x.control.r.thickness, 2)}`,
      `${fixed(x.imitation.r.slant, 2)} / ${fixed(x.imitation.r.thickness, 2)}`,
    ]),
    [false, false, true, true],
  );
  return `Measured by \`${r.command}\` on ${day(r.date)} over ${r.sources.digits} held-out MNIST test digits: the correlation between the style asked (or the upload's) and the style of the digit drawn; the target is r ≥ ${t.controlR} (imitation ${t.imitationR}). The 16/32/64 style teacher is where the hand set started; it was distilled from the wider style teacher, measured in [reports/hand/teacher-wide](reports/hand/teacher-wide/style.md). More in [quality](docs/quality.md#style-control-imitation-one-hand).

${table}`;
}
