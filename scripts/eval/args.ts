/** Command-line flags of `npm run eval`. */
import { parseArgs } from 'node:util';
import { SAMPLERS, type SamplerName } from '../../src/model/sampler';
import { CLASSIFIER_DIR } from './classifier-weights';
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
  out: string;
  record: boolean;
}

export const EVAL_USAGE = `Usage: npm run eval -- [flags]
  --n N                  digits generated per class and configuration (default 100)
  --steps LIST           sampling steps (default 1,2,4,10,25,50)
  --samplers LIST        ddim, dpmpp (default both)
  --guidance LIST        guidance scales for the guidance sweep (default 1,2,4)
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
  --classifier DIR       evaluation classifier folder (default ${CLASSIFIER_DIR})
  --out DIR              reports folder (default ${REPORTS_DIR})
  --record               merge each model's headline figures into its <dir>/manifest.json "metrics"`;

export class UsageError extends Error {}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      n: { type: 'string', default: '100' },
      steps: { type: 'string', default: '1,2,4,10,25,50' },
      samplers: { type: 'string', default: SAMPLERS.join(',') },
      guidance: { type: 'string', default: '1,2,4' },
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
  return {
    perClass: integer(values.n!, 'n', 2),
    steps: list(values.steps!, 'steps', (s) => integer(s, 'steps', 1)),
    samplers,
    guidance: list(values.guidance!, 'guidance', (s) => number(s, 'guidance', 0)),
    full: values.full!,
    fp32Checkpoints: values['fp32-checkpoint'] ? list(values['fp32-checkpoint'], 'fp32-checkpoint', (s) => s) : [],
    fp32All: values['fp32-all']!,
    restyle: integer(values.restyle!, 'restyle', 0),
    restyleStrengths: list(values['restyle-strengths']!, 'restyle-strengths', (s) => fraction(s, 'restyle-strengths')),
    batch: integer(values.batch!, 'batch', 1),
    seed: integer(values.seed!, 'seed', 0),
    sheetSamples: integer(values['sheet-samples']!, 'sheet-samples', 0),
    models: usage(() => parseModelList(values.models!)),
    classifierDir: values.classifier!,
    out: values.out!,
    record: values.record!,
  };
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
