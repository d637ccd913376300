/** The shape of reports/frontier.json and its Markdown rendering (reports/frontier.md). */
import type { GuidanceInterval } from '../../../src/model/sampler';
import type { GreyCensus } from '../census';
import { architectureLabel, guidanceLabel, type ModelSummary } from '../models';
import { headerLine, type CommandReportHeader } from '../report-header';
import { fixed, markdownTable } from '../reports';
import { CENSUS_COLUMNS, censusCells, SPACE_COLUMNS, spaceCells, spaceLegend } from '../space-report';
import type { SpaceScore } from '../space-scores';
import { SPACE_LABELS, SPACE_NAMES, type SpaceName } from '../spaces';
import { percentWithInterval } from '../stats';
import { ruleText } from './choice';
import { spaceScore, type StandAgainstTeacher, type TargetCheck } from './compare';
import type { FrontierResult, ModelChoice } from './sweep';

export interface InstrumentSummary {
  dir: string;
  net: string;
  architecture: string;
  featureDim: number;
  sha256: string;
  recordedTestAccuracy: number;
  measuredTestAccuracy: number;
  training: Record<string, unknown>;
}

export interface SeedRange {
  first: number;
  last: number;
  perClass: number;
  digits: number;
}

export interface FrontierReport extends CommandReportHeader {
  kind: 'frontier';
  models: ModelSummary[];
  instruments: { selection: InstrumentSummary; reporting: InstrumentSummary; pixels14: string };
  seeds: { selection: SeedRange; reporting: SeedRange };
  settings: { guidance: number[]; guidanceInterval?: GuidanceInterval | null; accuracyFloor: number; bootstrap: number; kidSubsets: number; kidSubsetSize: number; k: number; testHalves: string };
  reference: { floor: SpaceScore[]; floorDigits: number; census: GreyCensus };
  choices: (ModelChoice & { ruleText: string })[];
  results: FrontierResult[];
  standAgainstTeacher: StandAgainstTeacher[];
  targets: { model: string; point: 'served' | 'chosen'; guidance: number; checks: TargetCheck[] }[];
  figure: string;
}

const pct = (x: number, digits = 1) => `${fixed(100 * x, digits)}%`;
const marks = (r: FrontierResult) => [r.served ? 'served' : '', r.chosen ? 'chosen' : ''].filter(Boolean).join(', ');

export function frontierMarkdown(r: FrontierReport): string {
  const rowHead = (x: FrontierResult) => [x.model, x.settings.sampler, x.settings.steps, x.settings.guidance, marks(x)];
  const rowHeadAlign = [false, false, true, true, false];
  const models = markdownTable(
    ['model', 'folder', 'weights version', 'channels', 'MFLOP/call', 'frontier steps, sampler', 'rule', 'chosen guidance', 'served guidance'],
    r.models.map((m) => {
      const c = r.choices.find((x) => x.model === m.name)!;
      return [m.name, `\`${m.dir}\``, `\`${m.version}\``, architectureLabel(m.architecture), fixed(m.mflopsPerNetworkCall, 2), `${c.steps}, ${c.sampler}`, c.ruleText, c.guidance === null ? 'none reaches it' : c.guidance, guidanceLabel(m.sampling)];
    }),
    [false, false, false, false, true, false, false, true, true],
  );
  const instrument = (name: string, i: InstrumentSummary) => `- **${name}** (\`${i.dir}\`, ${i.net}: ${i.architecture}; ${i.featureDim}-d features): ${fixed(100 * i.measuredTestAccuracy, 2)}% on the 10k MNIST test digits in this run (recorded when trained: ${fixed(100 * i.recordedTestAccuracy, 2)}%; trained with \`${String(i.training.command ?? 'npm run train:classifier')}\`).`;
  const floorTable = markdownTable(
    ['space', ...SPACE_COLUMNS],
    r.reference.floor.map((f) => [SPACE_LABELS[f.space], ...spaceCells(f)]),
    [false, ...SPACE_COLUMNS.map(() => true)],
  );
  const accuracyTable = markdownTable(
    ['model', 'sampler', 'steps', 'guidance', 'point', 'net calls', 'selection seeds: selection classifier', 'selection seeds: selection-space FID', 'reporting seeds: selection classifier', 'reporting seeds: reporting classifier', 'ms/digit'],
    r.results.map((x) => [
      ...rowHead(x),
      x.networkCallsPerDigit,
      percentWithInterval(x.selection.accuracy.accuracy, x.selection.accuracy.interval),
      fixed(x.selection.fid, 2),
      percentWithInterval(x.reporting.accuracy.selection.accuracy, x.reporting.accuracy.selection.interval),
      percentWithInterval(x.reporting.accuracy.reporting.accuracy, x.reporting.accuracy.reporting.interval),
      fixed(x.msPerDigit, 1),
    ]),
    [...rowHeadAlign, true, true, true, true, true, true],
  );
  const spaceTables = SPACE_NAMES.map((space: SpaceName) => `### ${SPACE_LABELS[space]}

${markdownTable(['model', 'sampler', 'steps', 'guidance', 'point', ...SPACE_COLUMNS], r.results.map((x) => [...rowHead(x), ...spaceCells(spaceScore(x, space))]), [...rowHeadAlign, ...SPACE_COLUMNS.map(() => true)])}`).join('\n\n');
  const censusTable = markdownTable(
    ['model', 'sampler', 'steps', 'guidance', 'point', ...CENSUS_COLUMNS.map((c) => `raw: ${c}`), ...CENSUS_COLUMNS.map((c) => `served: ${c}`)],
    [
      ['MNIST test (10k)', '', '', '', '', ...censusCells(r.reference.census), ...censusCells(r.reference.census)],
      ...r.results.map((x) => [...rowHead(x), ...censusCells(x.reporting.census.raw), ...censusCells(x.reporting.census.served)]),
    ],
    [...rowHeadAlign, ...CENSUS_COLUMNS.map(() => true), ...CENSUS_COLUMNS.map(() => true)],
  );
  const stand = markdownTable(
    ['student', 'point', 'guidance', 'space', 'FID ÷ floor', 'student accuracy', 'teacher frontier at that ratio', 'student − teacher'],
    r.standAgainstTeacher.map((s) => [s.model, s.point, s.guidance, SPACE_LABELS[s.space], fixed(s.ratio, 2), pct(s.accuracy, 2), s.teacherAccuracy === null ? 'below its lowest ratio' : pct(s.teacherAccuracy, 2), s.gap === null ? '–' : `${s.gap >= 0 ? '+' : ''}${fixed(100 * s.gap, 2)} points`]),
    [false, false, true, false, true, true, true, true],
  );
  const targets = r.targets
    .map((t) => `**${t.model}, ${t.point} (guidance ${t.guidance})**: ${t.checks.filter((c) => c.pass).length} of ${t.checks.length} met.

${markdownTable(['target', 'value', 'met'], t.checks.map((c) => [c.target, c.value, c.pass ? 'yes' : '**no**']), [false, true, false])}`)
    .join('\n\n');
  return `# Guidance frontier (\`${r.command}\`)

${headerLine(r)}

![Accuracy against FID ÷ floor per space](${r.figure.split('/').pop()})

Each model sweeps guidance ${r.settings.guidance.join(', ')} (plus the guidance its manifest serves) at its frontier steps and default sampler${r.settings.guidanceInterval ? `, guided only at ${r.settings.guidanceInterval.from}·T ≤ t ≤ ${r.settings.guidanceInterval.to}·T (plain conditional elsewhere)` : ''}. Two disjoint seed ranges, the same for every row:

- **selection seeds ${r.seeds.selection.first}…${r.seeds.selection.last}** (${r.seeds.selection.perClass} per class, ${r.seeds.selection.digits} digits): read only by the selection classifier; the choice rule sees nothing else.
- **reporting seeds ${r.seeds.reporting.first}…${r.seeds.reporting.last}** (${r.seeds.reporting.perClass} per class, ${r.seeds.reporting.digits} digits): every figure below, never used to choose.

${models}

Rule per model: the first model (the reference) gets its best setting, ${ruleText('best-fid', r.settings.accuracyFloor)}; the others ${ruleText('lowest-guidance', r.settings.accuracyFloor)}. **served** = the manifest's default guidance (at these steps, the request \`steps=<steps>\`); **chosen** = the rule's pick.

## Instruments

${instrument('selection classifier', r.instruments.selection)}
${instrument('reporting classifier', r.instruments.reporting)}
- **pixels 14×14**: ${r.instruments.pixels14}

Real references: ${r.settings.testHalves}

${spaceLegend(r.settings.bootstrap, r.settings.kidSubsets, r.settings.k)}

**Floor**: ${r.reference.floorDigits} real digits from test half B, scored exactly as a generated set:

${floorTable}

## Accuracy

${accuracyTable}

## Every space (reporting seeds)

${spaceTables}

## Grey census (reporting seeds)

Share of pixels exactly black, faint (1-32) and of those faint pixels the share with an 8-neighbour above 128 (stroke rims), in the network's raw output and in the served bytes (faint pixels that touch no ink cleared, \`src/image/haze.ts\`); and the share of exact black among the pixels beside ink (at most 128, an 8-neighbour above 128), the ring around the strokes that the served bytes keep as drawn.

${censusTable}

## Students against the teacher

At equal FID ratio: the teacher's accuracy read off its frontier (its Pareto front through the sweep, linear between settings) at the student's FID ÷ floor, in each space with that panel's classifier.

${stand}

## Issue 19's targets (reporting seeds)

Against the teacher's chosen setting (its best reading ≥ ${pct(r.settings.accuracyFloor)} on the selection seeds)${r.choices[0]?.guidance === null ? ' (none of its settings reached it, so FID and KID are not compared)' : ''}, real recall from the floor row and the MNIST census. The \`steps=1\` target (FID ≤ 1.5 × the default request's) needs the eval grid's steps sweep, not this frontier.

${targets}
`;
}
