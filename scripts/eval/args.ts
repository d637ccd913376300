/** Command-line flags of `npm run eval`. */
import { parseArgs } from 'node:util';
import { SAMPLERS, type GuidanceInterval, type SamplerName } from '../../src/model/sampler';
import { CLASSIFIER_DIR, REPORTING_CLASSIFIER_DIR } from './classifier-weights';
import { DEFAULT_MODELS, parseModelList, type ModelSpec } from './models';
import { REPORTS_DIR } from './reports';

export interface EvalArgs {
  perClass: number;
  steps: number[];
  samplers: SamplerName[];
  guidance: number[];
  full: boolean;
  /** "[name=]PATH" entries: fp32 weights for the named (or the matching) model. */
  fp32Checkpoints: string[];
  fp32All: boolean;
  /** Real test digits restyled per strength and model (0 skips restyle). */
  restyle: number;
  restyleStrengths: number[];
  batch: number;
  seed: number;
  sheetSamples: number;
  models: ModelSpec[];
  classifierDir: string;
  reportingClassifierDir: string;
  /** FID bootstrap resamples, KID subsets (and their size cap), k of precision/recall. */
  bootstrap: number;
  kidSubsets: number;
  kidSubsetSize: number;
  k: number;
  out: string;
  record: boolean;
  frontier: FrontierArgs | null;
  style: StyleArgs | null;
}

export interface StyleArgs {
  /** Step counts per model name, each measured; a model without an entry uses its manifest's default steps. */
  steps: Record<string, number[]>;
  /** Guidance scales to measure every model at; empty: each at its served guidance. */
  guidance: number[];
  /** Digits per number in the one-hand measure. */
  numberLength: number;
}

export interface FrontierArgs {
  /** Steps per model name; a model without an entry uses its manifest's default steps. */
  steps: Record<string, number>;
  /** Digits per class on the selection seeds (the reporting seeds get --n). */
  selectionPerClass: number;
  selectionSeed: number;
  /** The choice rule's accuracy threshold (selection classifier, selection seeds). */
  accuracyFloor: number;
  /** Every row guided only in this band of noise levels (null: every step). */
  guidanceInterval: GuidanceInterval | null;
}

/** The frontier's guidance sweep when --guidance is not given: 1 to 3 by 0.25. */
export const FRONTIER_GUIDANCE = Array.from({ length: 9 }, (_, i) => 1 + i * 0.25);
export const FRONTIER_STEPS = 'teacher=10,general=10,few-step=2';

export const EVAL_USAGE = `Usage: npm run eval -- [flags]
  --n N                  digits generated per class and configuration (default 100)
  --steps LIST           sampling steps (default 1,2,4,10,25,50)
  --samplers LIST        ddim, dpmpp (default both)
  --guidance LIST        guidance scales for the guidance sweep (default 1,2,4; with
                         --frontier 1 to 3 by 0.25)
  --models LIST          weight sets to compare in this run, name=dir,… (default
                         ${DEFAULT_MODELS}; the same weights under two
                         names are measured once). Every model gets the same seeds and references
  --full                 every steps × sampler × guidance combination; by default the steps
                         sweep runs at each manifest's default guidance and the guidance sweep
                         at its default steps and sampler (about 1/3 of the cost)
  --fp32-checkpoint LIST also evaluate fp32 EMA weights from training/distillation checkpoints,
                         [name=]PATH,… (a run folder or its checkpoint.ckpt): int8 vs fp32 for
                         that model; without name=, the model the checkpoint was exported to
  --fp32-all             run fp32 over the whole grid (default: the guidance sweep only)
  --restyle N            real test digits restyled toward another class per strength and model,
                         through the Worker's restyle path at each model's served defaults
                         (default 100, class-balanced: rounded up to whole tens; 0 skips)
  --restyle-strengths L  SDEdit strengths for --restyle (default 0.5,0.7,0.9)
  --batch N              digits per sampler call (default 100; results do not depend on it)
  --seed N               first noise seed; digit i of every configuration uses seed+i (default 1)
  --sheet-samples N      samples per digit and configuration on the sheet (default 3)
  --classifier DIR       selection classifier folder (default ${CLASSIFIER_DIR}): chooses settings
  --reporting-classifier DIR
                         reporting classifier folder (default ${REPORTING_CLASSIFIER_DIR}): only reports
  --bootstrap N          FID bootstrap resamples per set and space (default 50)
  --kid-subsets N        KID subsets per set and space (default 50); --kid-subset-size N caps
                         their size (default 1000; at most half the set)
  --k N                  k of the nearest-neighbour balls of precision/recall (default 3)
  --out DIR              reports folder (default ${REPORTS_DIR})
  --record               merge each model's headline figures into its <dir>/manifest.json "metrics"

Frontier (npm run eval -- --frontier): a guidance sweep of every model at its default sampler,
chosen on selection seeds and reported on reporting seeds; writes frontier.json/.md/.png.
  --frontier             run the frontier instead of the eval grid
  --guidance-interval A,B  guide only the steps with A·T ≤ t ≤ B·T (fractions of the schedule),
                         plain conditional elsewhere (default: every step)
  --frontier-steps LIST  steps per model, name=steps,… (default ${FRONTIER_STEPS}; a model
                         not listed uses its manifest's default steps)
  --selection-n N        selection-seed digits per class (default 50); --n is the reporting size
  --selection-seed N     first selection seed (default 100001); reporting seeds start at --seed
  --accuracy-floor X     the choice rule's threshold, read by the selection classifier on the
                         selection seeds (default 0.99): the lowest guidance reaching it, and for
                         the first model (the reference, the teacher) its lowest selection-space
                         FID among the settings that reach it

Style (npm run eval -- --style): for each model with style inputs, on --n held-out test digits per
class: style control, imitation (with SDEdit restyle at --restyle-strengths beside it) and one
hand; writes style.json/.md.
  --style                run the style measures instead of the eval grid
  --style-steps LIST     steps per model, name=steps,…, several as name=4+10 (default: each
                         manifest's default steps)
  --style-guidance LIST  measure every model at each of these guidance scales (default: its served one)
  --number-length N      digits per number in the one-hand measure (default 4)`;

export class UsageError extends Error {}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: 'string', default: '100' },
      steps: { type: 'string', default: '1,2,4,10,25,50' },
      samplers: { type: 'string', default: SAMPLERS.join(',') },
      guidance: { type: 'string' },
      full: { type: 'boolean', default: false },
      models: { type: 'string', default: DEFAULT_MODELS },
      'fp32-checkpoint': { type: 'string' },
      restyle: { type: 'string', default: '100' },
      'restyle-strengths': { type: 'string', default: '0.5,0.7,0.9' },
      'fp32-all': { type: 'boolean', default: false },
      batch: { type: 'string', default: '100' },
      seed: { type: 'string', default: '1' },
      'sheet-samples': { type: 'string', default: '3' },
      classifier: { type: 'string', default: CLASSIFIER_DIR },
      'reporting-classifier': { type: 'string', default: REPORTING_CLASSIFIER_DIR },
      bootstrap: { type: 'string', default: '50' },
      'kid-subsets': { type: 'string', default: '50' },
      'kid-subset-size': { type: 'string', default: '1000' },
      k: { type: 'string', default: '3' },
      frontier: { type: 'boolean', default: false },
      'frontier-steps': { type: 'string', default: FRONTIER_STEPS },
      'guidance-interval': { type: 'string' },
      'selection-n': { type: 'string', default: '50' },
      'selection-seed': { type: 'string', default: '100001' },
      'accuracy-floor': { type: 'string', default: '0.99' },
      style: { type: 'boolean', default: false },
      'style-steps': { type: 'string', default: '' },
      'style-guidance': { type: 'string', default: '' },
      'number-length': { type: 'string', default: '4' },
      out: { type: 'string', default: REPORTS_DIR },
      record: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(EVAL_USAGE);
    process.exit(0);
  }
  const samplers = list(values.samplers!, 'samplers', (s) => s) as SamplerName[];
  const bad = samplers.find((s) => !SAMPLERS.includes(s));
  if (bad) throw new UsageError(`--samplers: unknown sampler ${bad}; use ${SAMPLERS.join(', ')}`);
  const perClass = integer(values.n!, 'n', 2);
  const seed = integer(values.seed!, 'seed', 0);
  const frontier = values.frontier ? frontierArgs(values, perClass, seed) : null;
  return {
    perClass,
    steps: list(values.steps!, 'steps', (s) => integer(s, 'steps', 1)),
    samplers,
    guidance: values.guidance ? list(values.guidance, 'guidance', (s) => number(s, 'guidance', 0)) : frontier ? FRONTIER_GUIDANCE : [1, 2, 4],
    full: values.full!,
    fp32Checkpoints: values['fp32-checkpoint'] ? list(values['fp32-checkpoint'], 'fp32-checkpoint', (s) => s) : [],
    fp32All: values['fp32-all']!,
    restyle: integer(values.restyle!, 'restyle', 0),
    restyleStrengths: list(values['restyle-strengths']!, 'restyle-strengths', (s) => fraction(s, 'restyle-strengths')),
    batch: integer(values.batch!, 'batch', 1),
    seed,
    sheetSamples: integer(values['sheet-samples']!, 'sheet-samples', 0),
    models: usage(() => parseModelList(values.models!)),
    classifierDir: values.classifier!,
    reportingClassifierDir: values['reporting-classifier']!,
    bootstrap: integer(values.bootstrap!, 'bootstrap', 2),
    kidSubsets: integer(values['kid-subsets']!, 'kid-subsets', 1),
    kidSubsetSize: integer(values['kid-subset-size']!, 'kid-subset-size', 2),
    k: integer(values.k!, 'k', 1),
    out: values.out!,
    record: values.record!,
    frontier,
    style: values.style ? { steps: values['style-steps'] ? stepCountsPerModel(values['style-steps'], 'style-steps') : {}, guidance: values['style-guidance'] ? list(values['style-guidance'], 'style-guidance', (s) => number(s, 'style-guidance', 0)) : [], numberLength: integer(values['number-length']!, 'number-length', 2) } : null,
  };
}

function interval(raw: string | undefined): GuidanceInterval | null {
  if (raw === undefined) return null;
  const [from, to] = list(raw, 'guidance-interval', (v) => fraction(v, 'guidance-interval'));
  if (to === undefined || !(from < to)) throw new UsageError(`--guidance-interval must be two fractions A,B with A < B, got ${raw}`);
  return { from, to };
}

function frontierArgs(values: Record<string, string | boolean | undefined>, perClass: number, seed: number): FrontierArgs {
  const selectionPerClass = integer(values['selection-n'] as string, 'selection-n', 2);
  const selectionSeed = integer(values['selection-seed'] as string, 'selection-seed', 0);
  // Digit i of a set uses seed + i: the two ranges must not share a seed, or selection would see reporting digits.
  if (selectionSeed < seed + perClass * 10 && seed < selectionSeed + selectionPerClass * 10) {
    throw new UsageError(`--selection-seed ${selectionSeed}…${selectionSeed + selectionPerClass * 10 - 1} overlaps the reporting seeds ${seed}…${seed + perClass * 10 - 1}`);
  }
  const accuracyFloor = number(values['accuracy-floor'] as string, 'accuracy-floor', 0);
  if (accuracyFloor > 1) throw new UsageError(`--accuracy-floor must be ≤ 1, got ${accuracyFloor}`);
  return { steps: stepsPerModel(values['frontier-steps'] as string, 'frontier-steps'), selectionPerClass, selectionSeed, accuracyFloor, guidanceInterval: interval(values['guidance-interval'] as string | undefined) };
}

/** "name=steps,…" → { name: steps }. */
function stepsPerModel(raw: string, flag: string): Record<string, number> {
  return Object.fromEntries(
    list(raw, flag, (item) => {
      const [name, n] = item.split('=');
      if (!name || n === undefined) throw new UsageError(`--${flag}: "${item}" is not name=steps`);
      return [name.trim(), integer(n, flag, 1)] as const;
    }),
  );
}

/** name=steps or name=steps+steps…, comma separated. */
function stepCountsPerModel(raw: string, flag: string): Record<string, number[]> {
  return Object.fromEntries(
    list(raw, flag, (item) => {
      const [name, counts] = item.split('=');
      if (!name || counts === undefined) throw new UsageError(`--${flag}: "${item}" is not name=steps or name=steps+steps`);
      return [name.trim(), [...new Set(counts.split('+').map((n) => integer(n, flag, 1)))]] as const;
    }),
  );
}

function list<T>(raw: string, flag: string, parse: (s: string) => T): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new UsageError(`--${flag} needs at least one value`);
  return [...new Set(items)].map(parse);
}

function integer(raw: string, flag: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

function fraction(raw: string, flag: string): number {
  const n = number(raw, flag, 0);
  if (n > 1) throw new UsageError(`--${flag} must be ≤ 1, got ${raw}`);
  return n;
}

/** A parse error from a shared parser, reported with the usage text. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function number(raw: string, flag: string, min: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${flag} must be a number ≥ ${min}, got ${raw}`);
  return n;
}
