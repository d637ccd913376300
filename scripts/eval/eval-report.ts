/** The shape of reports/eval.json and its Markdown rendering (reports/eval.md). */
import type { ConfigResult } from './evaluate';
import { fixed, markdownTable } from './reports';

export interface EvalReport {
  kind: 'eval';
  date: string;
  machine: string;
  /** 1-minute load average at the end: other work on the machine slows the ms/digit column. */
  loadAverage: number;
  wallSeconds: number;
  backend: string;
  weights: { dir: string; version: string; sha256: string; sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string } };
  fp32: { checkpoint: string; step: number; matchesShippedInt8: boolean } | null;
  classifier: { recordedTestAccuracy: number; measuredTestAccuracy: number; featureDim: number; sha256: string };
  settings: { perClass: number; digitsPerConfig: number; seed: number; batch: number; grid: string };
  reference: {
    /** FID of a class-balanced training subset of the same size against the test set. */
    fidFloor: number;
    realSpread: number[];
    realNearestTrain: { median: number; p1: number; min: number };
  };
  results: ConfigResult[];
  sheet: { file: string; blocks: string[] };
}

export const configLabel = (r: Pick<ConfigResult, 'precision' | 'sampler' | 'steps' | 'guidance'>) => `${r.precision} ${r.sampler} ${r.steps} steps g=${r.guidance}`;

export function evalMarkdown(r: EvalReport): string {
  const rows = r.results.map((x) => [
    x.precision,
    x.sampler,
    x.steps,
    x.guidance,
    x.networkCallsPerDigit,
    `${fixed(100 * x.accuracy, 1)}%`,
    fixed(x.fid, 2),
    fixed(x.diversity.ratio, 2),
    `${fixed(x.nearestTrain.median, 2)} (${fixed(x.nearestTrain.medianRatioToReal, 2)}×)`,
    `${fixed(100 * x.nearestTrain.shareBelowRealP1, 1)}%`,
    fixed(x.msPerDigit, 1),
  ]);
  const fp32 = r.fp32
    ? `fp32 = the EMA weights of \`${r.fp32.checkpoint}\` (step ${r.fp32.step}; ${r.fp32.matchesShippedInt8 ? 'quantising them gives exactly the shipped model.bin' : 'NOT the source of the shipped model.bin: a different step or run'}).`
    : 'fp32 rows: none (pass `--fp32-checkpoint runs/<run>` to compare int8 with the fp32 weights it was quantised from).';
  return `# Generation quality (\`npm run eval\`)

${r.date} · ${r.machine} · ${r.backend} · ${Math.round(r.wallSeconds)} s wall · load average ${r.loadAverage}

Weights \`${r.weights.version}\` (served defaults: ${r.weights.sampling.defaultSampler}, ${r.weights.sampling.defaultSteps} steps, guidance ${r.weights.sampling.defaultGuidance}). ${r.settings.digitsPerConfig} digits per configuration (${r.settings.perClass} per class, seeds ${r.settings.seed}…${r.settings.seed + r.settings.digitsPerConfig - 1}, the same for every row), drawn with \`drawDigits\` as the Worker does. Grid: ${r.settings.grid}. ${fp32}

Measured with the evaluation classifier (\`eval/classifier\`, test accuracy ${fixed(100 * r.classifier.measuredTestAccuracy, 2)}% on the 10k MNIST test digits; recorded when trained: ${fixed(100 * r.classifier.recordedTestAccuracy, 2)}%).

- **accuracy**: share of digits the classifier reads as the digit asked for (real test digits: ${fixed(100 * r.classifier.measuredTestAccuracy, 1)}%).
- **FID**: Fréchet distance to the 10k test digits in the classifier's ${r.classifier.featureDim}-d feature space. **Floor** (real training digits, same count, against the same test set): **${fixed(r.reference.fidFloor, 2)}**. Lower is better; digits indistinguishable from real ones would score about the floor.
- **diversity**: within-class feature spread ÷ that of real digits (1 = as varied as handwriting, ≪ 1 = repeats itself).
- **nearest train**: median pixel distance (ink in [0, 1], L2 over 784 px) to the nearest of the 60k training digits, and its ratio to that of unseen test digits (median ${fixed(r.reference.realNearestTrain.median, 2)}). **near-copies**: share closer to a training digit than 99% of test digits are (${fixed(r.reference.realNearestTrain.p1, 2)}); ≈1% is normal, far more means memorisation.
- **ms/digit**: generation time per digit in this batched run (load-dependent; latency is \`npm run bench\`'s job).

${markdownTable(
  ['weights', 'sampler', 'steps', 'guidance', 'net calls', 'accuracy', 'FID', 'diversity', 'nearest train', 'near-copies', 'ms/digit'],
  rows,
  [false, false, true, true, true, true, true, true, true, true, true],
)}

Sample sheet: \`${r.sheet.file}\`: one block per row of the table, in order (${r.sheet.blocks.length} blocks); digits 0-9 top to bottom, the first seeds across.
`;
}
