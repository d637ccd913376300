/** The shape of reports/eval.json and its Markdown rendering (reports/eval.md). */
import type { GreyCensus } from './census';
import type { ConfigResult } from './evaluate';
import { architectureLabel, guidanceLabel, type ModelSummary } from './models';
import type { RestyleResult } from './restyle';
import { headerLine, type ReportHeader } from './report-header';
import { fixed, markdownTable } from './reports';
import { CENSUS_COLUMNS, censusCells, SPACE_COLUMNS, spaceCells, spaceLegend } from './space-report';
import type { ScoreSettings, SpaceScore } from './space-scores';
import { SPACE_LABELS, SPACE_NAMES } from './spaces';
import { percentWithInterval } from './stats';

export interface EvalReport extends ReportHeader {
  kind: 'eval';
  /** Every weight set measured in this run, in --models order (the first is the reference, usually the teacher). */
  models: ModelSummary[];
  fp32: { model: string; checkpoint: string; step: number; matchesShippedInt8: boolean }[];
  /** The selection classifier (eval/classifier). */
  classifier: InstrumentFigures;
  /** The reporting classifier (eval/reporting-classifier); absent from reports before it existed. */
  reportingClassifier?: InstrumentFigures;
  settings: { perClass: number; digitsPerConfig: number; seed: number; batch: number; grid: string } & Partial<ScoreSettings>;
  reference: {
    /** Selection-space FID of real digits from test half B against half A (before the halves: a training subset against the test set). */
    fidFloor: number;
    /** Every space's real-vs-real row, and how many real digits it scored. */
    floor?: SpaceScore[];
    floorDigits?: number;
    /** Grey census of the 10k MNIST test digits. */
    census?: GreyCensus;
    realSpread: number[];
    realNearestTrain: { median: number; p1: number; min: number };
    /** Share of exactly-0 pixels in the MNIST test digits. */
    realBackgroundShare: number;
  };
  results: ConfigResult[];
  /** Empty when skipped (--restyle 0). */
  restyle: RestyleResult[];
  sheet: { file: string; blocks: string[] };
}

export interface InstrumentFigures {
  recordedTestAccuracy: number;
  measuredTestAccuracy: number;
  featureDim: number;
  sha256: string;
}

export const configLabel = (r: Pick<ConfigResult, 'model' | 'precision' | 'sampler' | 'steps' | 'guidance'>) => `${r.model} ${r.precision} ${r.sampler} ${r.steps} steps g=${r.guidance}`;

const percent = (share: number, digits = 1) => `${fixed(100 * share, digits)}%`;

export function evalMarkdown(r: EvalReport): string {
  const rows = r.results.map((x) => [
    x.model,
    x.precision,
    x.sampler,
    x.steps,
    x.guidance,
    x.networkCallsPerDigit,
    percentWithInterval(x.accuracy, x.accuracyInterval),
    fixed(x.fid, 2),
    fixed(x.diversity.ratio, 2),
    `${fixed(x.nearestTrain.median, 2)} (${fixed(x.nearestTrain.medianRatioToReal, 2)}×)`,
    percent(x.nearestTrain.shareBelowRealP1),
    percent(x.backgroundShare),
    fixed(x.msPerDigit, 1),
  ]);
  const models = r.models.map((m) => [m.name, `\`${m.dir}\``, `\`${m.version}\``, architectureLabel(m.architecture), m.parameters, m.weightBytes, fixed(m.mflopsPerNetworkCall, 2), `${m.sampling.defaultSampler}, ${m.sampling.defaultSteps} steps, g=${guidanceLabel(m.sampling)}`]);
  const fp32 = r.fp32.length
    ? r.fp32.map((f) => `fp32 ${f.model} = the EMA weights of \`${f.checkpoint}\` (step ${f.step}; ${f.matchesShippedInt8 ? `quantising them gives exactly ${f.model}'s model.bin` : `NOT the source of ${f.model}'s model.bin: a different step or run`}).`).join(' ')
    : 'fp32 rows: none (pass `--fp32-checkpoint [name=]runs/<run>` to compare a model\'s int8 weights with the fp32 weights they were quantised from).';
  const restyle = r.restyle.length
    ? `## Restyle class transfer

${r.restyle[0].digits} real MNIST test digits per row (class-balanced), each restyled toward another class (target = source + 1…9 in turn) through the Worker's \`restyleImage\` (POST /restyle) at the model's served defaults, the same digits, targets and seeds for every model. **transfer**: share the classifier reads as the target class; **kept**: share still read as the source digit.

${markdownTable(
  ['model', 'strength', 'sampler', 'steps', 'guidance', 'net calls ≤', 'transfer', 'kept', 'ms/digit'],
  r.restyle.map((x) => [x.model, x.strength, x.sampler, x.steps, x.guidance, x.networkCallsPerDigit, percent(x.transfer), percent(x.kept), fixed(x.msPerDigit, 1)]),
  [false, true, false, true, true, true, true, true, true],
)}
`
    : 'Restyle class transfer: skipped (--restyle 0).\n';
  return `# Generation quality (\`npm run eval\`)

${headerLine(r)}

${markdownTable(
  ['model', 'folder', 'weights version', 'channels', 'parameters', 'weight bytes', 'MFLOP/call', 'served default'],
  models,
  [false, false, false, false, true, true, true, false],
)}

${r.settings.digitsPerConfig} digits per configuration (${r.settings.perClass} per class, seeds ${r.settings.seed}…${r.settings.seed + r.settings.digitsPerConfig - 1}, the same for every row and model), drawn with \`drawDigits\` as the Worker does. Grid, per model: ${r.settings.grid}. ${fp32}

Measured with the evaluation classifier (\`eval/classifier\`, test accuracy ${fixed(100 * r.classifier.measuredTestAccuracy, 2)}% on the 10k MNIST test digits; recorded when trained: ${fixed(100 * r.classifier.recordedTestAccuracy, 2)}%).

- **net calls**: network rows per digit: steps × 2 for a guided step of a classifier-free-guidance model, steps × 1 for a guidance-distilled one (channels "+w") at any guidance.
- **accuracy**: share of digits the classifier reads as the digit asked for (real test digits: ${fixed(100 * r.classifier.measuredTestAccuracy, 1)}%), with its 95% Wilson interval in brackets: the digits are a sample, so two rows whose intervals overlap may not differ.
- **FID**: Fréchet distance in the selection classifier's ${r.classifier.featureDim}-d feature space to test half A (5000 digits). **Floor** (real digits of test half B, same count, against half A): **${fixed(r.reference.fidFloor, 2)}**. Lower is better; digits indistinguishable from real ones would score about the floor. Every space, and the reporting classifier's accuracy, follow the main table.
- **diversity**: within-class feature spread ÷ that of real digits (1 = as varied as handwriting, ≪ 1 = repeats itself).
- **nearest train**: median pixel distance (ink in [0, 1], L2 over 784 px) to the nearest of the 60k training digits, and its ratio to that of unseen test digits (median ${fixed(r.reference.realNearestTrain.median, 2)}). **near-copies**: share closer to a training digit than 99% of test digits are (${fixed(r.reference.realNearestTrain.p1, 2)}); ≈1% is normal, far more means memorisation.
- **background**: share of the 28×28 grey pixels that are exactly 0 (real test digits: **${percent(r.reference.realBackgroundShare)}**); a faint haze of 1-8/255 lowers it.
- **ms/digit**: generation time per digit in this batched run (load-dependent; latency is \`npm run bench\`'s job).

${markdownTable(
  ['model', 'weights', 'sampler', 'steps', 'guidance', 'net calls', 'accuracy (95% CI)', 'FID', 'diversity', 'nearest train', 'near-copies', 'background', 'ms/digit'],
  rows,
  [false, false, false, true, true, true, true, true, true, true, true, true, true],
)}

${instrumentSections(r)}
${restyle}
Sample sheet: \`${r.sheet.file}\`: one block per row of the quality table, in order (${r.sheet.blocks.length} blocks); digits 0-9 top to bottom, the first seeds across.
`;
}

/** The reporting instruments' sections: accuracy by both classifiers, every space, the census. */
function instrumentSections(r: EvalReport): string {
  const { floor, census } = r.reference;
  const settings = r.settings;
  if (!floor || !census || !r.reportingClassifier || settings.bootstrap === undefined || settings.kidSubsets === undefined || settings.k === undefined) return '';
  const head = (x: ConfigResult) => [x.model, x.precision, x.sampler, x.steps, x.guidance];
  const headAlign = [false, false, false, true, true];
  const accuracy = markdownTable(
    ['model', 'weights', 'sampler', 'steps', 'guidance', 'selection classifier', 'reporting classifier'],
    r.results.map((x) => [...head(x), percentWithInterval(x.scores.accuracy.selection.accuracy, x.scores.accuracy.selection.interval), percentWithInterval(x.scores.accuracy.reporting.accuracy, x.scores.accuracy.reporting.interval)]),
    [...headAlign, true, true],
  );
  const spaces = SPACE_NAMES.map((space) => `### ${SPACE_LABELS[space]}

${markdownTable(
  ['model', 'weights', 'sampler', 'steps', 'guidance', ...SPACE_COLUMNS],
  [['real (floor)', '', '', '', '', ...spaceCells(floor.find((f) => f.space === space)!)], ...r.results.map((x) => [...head(x), ...spaceCells(x.scores.spaces.find((s) => s.space === space)!)])],
  [...headAlign, ...SPACE_COLUMNS.map(() => true)],
)}`).join('\n\n');
  const censusTable = markdownTable(
    ['model', 'weights', 'sampler', 'steps', 'guidance', ...CENSUS_COLUMNS.map((c) => `raw: ${c}`), ...CENSUS_COLUMNS.map((c) => `served: ${c}`)],
    [['MNIST test (10k)', '', '', '', '', ...censusCells(census), ...censusCells(census)], ...r.results.map((x) => [...head(x), ...censusCells(x.scores.census.raw), ...censusCells(x.scores.census.served)])],
    [...headAlign, ...CENSUS_COLUMNS.map(() => true), ...CENSUS_COLUMNS.map(() => true)],
  );
  return `## Reporting instruments

Settings are chosen with the selection classifier; these instruments choose nothing. The reporting classifier (\`eval/reporting-classifier\`, another architecture, seed and augmentation; ${r.reportingClassifier.featureDim}-d features) reads the 10k test digits at ${fixed(100 * r.reportingClassifier.measuredTestAccuracy, 2)}%; **pixels 14×14** is the digit 2×2-averaged (196-d), no classifier at all. The floor row is ${r.reference.floorDigits} real digits of test half B.

${spaceLegend(settings.bootstrap, settings.kidSubsets, settings.k)}

### Accuracy by both classifiers

${accuracy}

${spaces}

### Grey census

Share of pixels exactly black, faint (1-32), and of the faint ones the share with an 8-neighbour above 128 (stroke rims), in the network's raw output and in the served bytes (faint pixels that touch no ink cleared, \`src/image/haze.ts\`); and the share of exact black among the pixels beside ink (at most 128, an 8-neighbour above 128), the ring around the strokes that the served bytes keep as drawn.

${censusTable}
`;
}
