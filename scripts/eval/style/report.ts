/** reports/style.md from reports/style.json: the style issue's targets beside each measure. */
import type { ModelSummary } from '../models';
import { headerLine, type CommandReportHeader } from '../report-header';
import { fixed, markdownTable } from '../reports';
import type { FollowResult, OneHandResult, RestyleStyle, StyleSettings } from './measure';

export interface StyleModelResult {
  model: string;
  settings: StyleSettings;
  control: FollowResult;
  imitation: FollowResult;
  oneHand: OneHandResult;
  restyle: RestyleStyle[];
}

export interface StyleReport extends CommandReportHeader {
  kind: 'style';
  sources: { digits: number; perClass: number; seed: number };
  models: ModelSummary[];
  results: StyleModelResult[];
}

/** The style issue's targets. */
export const STYLE_TARGETS = { controlR: 0.9, controlReadAs: 0.99, imitationR: 0.85, imitationReadAs: 0.97, oneHandRatio: 0.5 } as const;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const mark = (ok: boolean) => (ok ? 'yes' : '**no**');

export function styleMarkdown(r: StyleReport): string {
  const t = STYLE_TARGETS;
  const rows = r.results;
  // A model measured at several guidance scales (--style-guidance) gets one row per scale.
  // A model measured at several settings: each row says which of steps and guidance differ.
  const name = (x: StyleModelResult) => {
    const own = rows.filter((y) => y.model === x.model);
    const varies = (key: 'steps' | 'guidance') => new Set(own.map((y) => y.settings[key])).size > 1;
    return [x.model, ...(varies('steps') ? [`${x.settings.steps} steps`] : []), ...(varies('guidance') ? [`w ${x.settings.guidance}`] : [])].join(', ');
  };
  return `# Style control, imitation and one hand (\`${r.command}\`)

${headerLine(r, 2)}

Sources: ${r.sources.digits} held-out MNIST test digits (${r.sources.perClass} per class, drawn with --seed ${r.sources.seed}); each is measured with \`measureStyle\` (src/image/style.ts), the function the network was conditioned with, and so is every drawing. Accuracy is read by both classifiers of the evaluation (selection / reporting). Noise seeds ${r.sources.seed}… are the same with and without a style.

${markdownTable(
  ['model', 'folder', 'weights version', 'steps, sampler', 'guidance'],
  rows.map((x) => [name(x), `\`${r.models.find((m) => m.name === x.model)!.dir}\``, `\`${r.models.find((m) => m.name === x.model)!.version}\``, `${x.settings.steps}, ${x.settings.sampler}`, x.settings.guidance]),
  [false, false, false, false, true],
)}

## Control: each source's style asked for, drawn as its own class

Target: r ≥ ${t.controlR} for each descriptor, read as the class asked ≥ ${pct(t.controlReadAs)}.

${markdownTable(
  ['model', 'r slant', 'r thickness', 'no style: r slant', 'no style: r thickness', 'read as asked', 'meets'],
  rows.map((x) => [name(x), fixed(x.control.r.slant, 3), fixed(x.control.r.thickness, 3), fixed(x.control.noStyle.slant, 2), fixed(x.control.noStyle.thickness, 2), `${pct(x.control.readAs.selection)} / ${pct(x.control.readAs.reporting)}`, mark(Math.min(x.control.r.slant, x.control.r.thickness) >= t.controlR && Math.min(x.control.readAs.selection, x.control.readAs.reporting) >= t.controlReadAs)]),
  [false, true, true, true, true, true, false],
)}

## Imitation: each source's style, drawn as another digit

What \`POST /imitate\` does with an upload. Target: the source's slant and thickness kept at r ≥ ${t.imitationR}, read as the digit asked ≥ ${pct(t.imitationReadAs)}. Beside it, SDEdit restyle (\`POST /restyle\`) of the same sources toward the same digits, which keeps a picture's look only as far as it keeps the picture.

${markdownTable(
  ['model', 'method', 'r slant', 'r thickness', 'read as asked', 'meets'],
  rows.flatMap((x) => [
    [name(x), 'imitation', fixed(x.imitation.r.slant, 3), fixed(x.imitation.r.thickness, 3), `${pct(x.imitation.readAs.selection)} / ${pct(x.imitation.readAs.reporting)}`, mark(Math.min(x.imitation.r.slant, x.imitation.r.thickness) >= t.imitationR && Math.min(x.imitation.readAs.selection, x.imitation.readAs.reporting) >= t.imitationReadAs)],
    ...x.restyle.map((s) => [name(x), `restyle, strength ${s.strength}`, fixed(s.r.slant, 3), fixed(s.r.thickness, 3), `${pct(s.readAs.selection)} / ${pct(s.readAs.reporting)}`, '']),
  ]),
  [false, false, true, true, true, false],
)}

## One hand: the digits of a number share a style

${rows[0]?.oneHand.numbers ?? 0} numbers of ${rows[0]?.oneHand.digitsPerNumber ?? 0} digits, number k in the style of source k, each digit its own noise. **within** = root mean square of each number's standard deviation across its digits; **between** = standard deviation of the numbers' means. Target: within ≤ ${t.oneHandRatio} × between for each descriptor. With no style given, a number's digits are as unlike as any digits, and a mean of n of them varies √n times less than one digit: the ratio is then about √n, ${fixed(Math.sqrt(rows[0]?.oneHand.digitsPerNumber ?? 0), 1)} here. The measure is the stricter for it: the numbers' means carry their digits' own spread too.

${markdownTable(
  ['model', 'slant within', 'slant between', 'ratio', 'thickness within', 'thickness between', 'ratio', 'no style: ratios', 'meets'],
  rows.map((x) => {
    const h = x.oneHand;
    return [name(x), fixed(h.within.slant, 3), fixed(h.between.slant, 3), fixed(h.ratio.slant, 2), fixed(h.within.thickness, 3), fixed(h.between.thickness, 3), fixed(h.ratio.thickness, 2), `${fixed(h.noStyleRatio.slant, 2)} / ${fixed(h.noStyleRatio.thickness, 2)}`, mark(Math.max(h.ratio.slant, h.ratio.thickness) <= t.oneHandRatio)];
  }),
  [false, true, true, true, true, true, true, true, false],
)}
`;
}
