/** Command-line flags of the training script (same flags for `train` and `train:gpu`). */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE, type Recipe } from './trainer';
import type { BackendName } from './backend';

export interface TrainArgs {
  backend: BackendName;
  allowSoftwareGpu: boolean;
  recipe: Recipe;
  /** Train on the first N images only (quick runs and tests). */
  limit: number | null;
  /** Stop after this many steps in total (the schedule still spans all epochs). */
  maxSteps: number | null;
  runDir: string | null;
  resume: boolean;
  checkpointEvery: number;
  out: string;
  export: boolean;
  sheets: boolean;
}

export const USAGE = `Usage: npm run train:gpu -- [flags]      (npm run train -- [flags] for the CPU)
  --epochs N             passes over the data (default ${DEFAULT_RECIPE.epochs})
  --batch N              batch size (default ${DEFAULT_RECIPE.batchSize})
  --lr X                 peak learning rate after warm-up (default ${DEFAULT_RECIPE.lr})
  --warmup N             warm-up steps (default ${DEFAULT_RECIPE.warmupSteps})
  --weight-decay X       AdamW decoupled weight decay (default ${DEFAULT_RECIPE.weightDecay})
  --ema X                EMA decay of the exported weights (default ${DEFAULT_RECIPE.emaDecay})
  --label-dropout X      share of null-class examples for guidance (default ${DEFAULT_RECIPE.labelDropout})
  --shift N              random shift augmentation in pixels (default ${DEFAULT_RECIPE.shift})
  --dropout X            dropout in residual blocks (default ${DEFAULT_RECIPE.dropout})
  --seed N               seed for init, data order and noise (default ${DEFAULT_RECIPE.seed})
  --limit N              train on the first N training images only
  --max-steps N          stop after N steps
  --run-dir DIR          run folder (default runs/<date-time>)
  --resume               continue the run in --run-dir (default: the latest under runs/)
  --checkpoint-every N   steps between checkpoints (default 200)
  --out DIR              where to export the int8 weights (default weights)
  --no-export            do not export weights at the end
  --no-sheets            do not write a sample sheet after each epoch
  --allow-software-gpu   let train:gpu run on a software adapter (llvmpipe/lavapipe/SwiftShader)
  --backend NAME         wasm | cpu | webgpu (set by the npm scripts)`;

export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      backend: { type: 'string', default: 'wasm' },
      'allow-software-gpu': { type: 'boolean', default: false },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      'weight-decay': { type: 'string' },
      ema: { type: 'string' },
      'label-dropout': { type: 'string' },
      shift: { type: 'string' },
      dropout: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      'max-steps': { type: 'string' },
      'run-dir': { type: 'string' },
      resume: { type: 'boolean', default: false },
      'checkpoint-every': { type: 'string', default: '200' },
      out: { type: 'string', default: 'weights' },
      'no-export': { type: 'boolean', default: false },
      'no-sheets': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const backend = values.backend as BackendName;
  if (!['wasm', 'cpu', 'webgpu'].includes(backend)) throw new UsageError(`--backend must be wasm, cpu or webgpu, got ${backend}`);
  const r = DEFAULT_RECIPE;
  const recipe: Recipe = {
    seed: int(values.seed, 'seed', r.seed, 0),
    batchSize: int(values.batch, 'batch', r.batchSize, 1),
    epochs: int(values.epochs, 'epochs', r.epochs, 1),
    lr: num(values.lr, 'lr', r.lr, 0, 1),
    lrFloor: r.lrFloor,
    warmupSteps: int(values.warmup, 'warmup', r.warmupSteps, 0),
    weightDecay: num(values['weight-decay'], 'weight-decay', r.weightDecay, 0, 1),
    beta1: r.beta1,
    beta2: r.beta2,
    gradClip: r.gradClip,
    emaDecay: num(values.ema, 'ema', r.emaDecay, 0, 1),
    labelDropout: num(values['label-dropout'], 'label-dropout', r.labelDropout, 0, 1),
    shift: int(values.shift, 'shift', r.shift, 0),
    dropout: num(values.dropout, 'dropout', r.dropout, 0, 0.9),
  };
  return {
    backend,
    allowSoftwareGpu: values['allow-software-gpu']!,
    recipe,
    limit: values.limit === undefined ? null : int(values.limit, 'limit', 0, 1),
    maxSteps: values['max-steps'] === undefined ? null : int(values['max-steps'], 'max-steps', 0, 1),
    runDir: values['run-dir'] ?? null,
    resume: values.resume!,
    checkpointEvery: int(values['checkpoint-every'], 'checkpoint-every', 200, 1),
    out: values.out!,
    export: !values['no-export'],
    sheets: !values['no-sheets'],
  };
}

export class UsageError extends Error {}

function int(raw: string | undefined, flag: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

function num(raw: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number in [${min}, ${max}], got ${raw}`);
  return n;
}
