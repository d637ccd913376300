/** Command-line flags of the training script (same flags for `train` and `train:gpu`). */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE, type Recipe } from './trainer';
import type { BackendName } from './backend';
import { DEFAULT_UNET } from '../../src/model/unet';

export interface TrainArgs {
  backend: BackendName;
  allowSoftwareGpu: boolean;
  /** XNNPACK threads of the wasm backend (1: the Worker's own single-threaded build). */
  threads: number;
  recipe: Recipe;
  /** Train on the first N images only (quick runs and tests). */
  limit: number | null;
  /** Stop after this many steps in total (the schedule still spans all epochs). */
  maxSteps: number | null;
  runDir: string | null;
  resume: boolean;
  checkpointEvery: number;
  /** Where the weights are exported; null: `<run folder>/weights`. */
  out: string | null;
  export: boolean;
  sheets: boolean;
  /** Start from these weights (new inputs at zero) instead of a fresh initialisation. */
  initFrom: string | null;
  /** Width of each style descriptor's features (0: a network without style inputs). */
  styleFeatures: number;
}

/** Training's own flags: the network's widths (distillation names its student's in scripts/distill/args.ts). */
export interface TeacherArgs extends TrainArgs {
  channels: [number, number, number];
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
  --channels A,B,C       the network's channels at 28/14/7 px (default ${DEFAULT_UNET.channels.join(',')}); wider costs
                         about (width ratio)² the FLOPs per call (npm run bench prices a set)
  --style-features N     condition on the digit's slant and thickness, N sinusoid features each
                         (default 0: no style inputs)
  --style-dropout X      share of examples trained with no style given (default ${DEFAULT_RECIPE.styleDropout})
  --init-from DIR        start from these weights (e.g. weights/teacher to train it further;
                         inputs they lack, such as style, start at zero)
  --seed N               seed for init, data order and noise (default ${DEFAULT_RECIPE.seed})
  --limit N              train on the first N training images only
  --max-steps N          stop after N steps
  --run-dir DIR          run folder (default runs/<date-time>)
  --resume               continue the run in --run-dir (default: the latest under runs/)
  --checkpoint-every N   steps between checkpoints (default 200)
  --out DIR              where to export the int8 weights (default weights/teacher: the
                         teacher npm run distill compresses into the served sets). The served
                         sets' folders (src/model/served-sets.ts) are written only when named here
  --no-export            do not export weights at the end
  --no-sheets            do not write a sample sheet after each epoch
  --threads N            wasm only: XNNPACK threads (default 1, the Worker's own single-threaded
                         build; N ≥ 2: tfjs's threaded SIMD build, N threads on worker_threads)
  --allow-software-gpu   let train:gpu run on a software adapter (llvmpipe/lavapipe/SwiftShader)
  --backend NAME         wasm | cpu | webgpu (set by the npm scripts)`;

/** The flags every run takes (scripts/distill.ts adds its own to these). */
export const TRAIN_OPTIONS = {
  backend: { type: 'string', default: 'wasm' },
  'allow-software-gpu': { type: 'boolean', default: false },
  threads: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  ema: { type: 'string' },
  'label-dropout': { type: 'string' },
  shift: { type: 'string' },
  dropout: { type: 'string' },
  'style-features': { type: 'string' },
  'style-dropout': { type: 'string' },
  'init-from': { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  'max-steps': { type: 'string' },
  'run-dir': { type: 'string' },
  resume: { type: 'boolean', default: false },
  'checkpoint-every': { type: 'string', default: '200' },
  out: { type: 'string' },
  'no-export': { type: 'boolean', default: false },
  'no-sheets': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type Flags = Record<string, string | boolean | undefined>;

export function parseTrainArgs(argv: string[]): TeacherArgs {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...TRAIN_OPTIONS, channels: { type: 'string', default: DEFAULT_UNET.channels.join(',') } } });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return { ...trainArgsFrom(values), channels: channelsFlag(values.channels!) };
}

/** --channels: three widths 1-256, as for the network's three levels. */
export function channelsFlag(raw: string): [number, number, number] {
  const channels = raw.split(',').map((c) => Number(c));
  if (channels.length !== 3 || !channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 256)) {
    throw new UsageError(`--channels must be three integers 1-256 like 8,16,32, got ${raw}`);
  }
  return channels as [number, number, number];
}

/** Where training exports: the teacher, which `npm run distill` compresses into the served sets. Not itself served (test/train-out.test.ts). */
export const TEACHER_DIR = 'weights/teacher';

/**
 * TrainArgs from parsed flags; distillation passes its own recipe defaults and export folder
 * (null: the run folder). A default never names a served set's folder: a run overwrites the
 * weights the Worker serves only when --out says so.
 */
export function trainArgsFrom(values: Flags, defaults: Recipe = DEFAULT_RECIPE, defaultOut: string | null = TEACHER_DIR): TrainArgs {
  const flag = (name: string) => values[name] as string | undefined;
  const backend = values.backend as BackendName;
  if (!['wasm', 'cpu', 'webgpu'].includes(backend)) throw new UsageError(`--backend must be wasm, cpu or webgpu, got ${backend}`);
  const threads = int(flag('threads'), 'threads', 1, 1);
  if (threads > 1 && backend !== 'wasm') throw new UsageError(`--threads is for the wasm backend, not ${backend}`);
  const r = defaults;
  const recipe: Recipe = {
    seed: int(flag('seed'), 'seed', r.seed, 0),
    batchSize: int(flag('batch'), 'batch', r.batchSize, 1),
    epochs: int(flag('epochs'), 'epochs', r.epochs, 1),
    lr: num(flag('lr'), 'lr', r.lr, 0, 1),
    lrFloor: r.lrFloor,
    warmupSteps: int(flag('warmup'), 'warmup', r.warmupSteps, 0),
    weightDecay: num(flag('weight-decay'), 'weight-decay', r.weightDecay, 0, 1),
    beta1: r.beta1,
    beta2: r.beta2,
    gradClip: r.gradClip,
    emaDecay: num(flag('ema'), 'ema', r.emaDecay, 0, 1),
    labelDropout: num(flag('label-dropout'), 'label-dropout', r.labelDropout, 0, 1),
    shift: int(flag('shift'), 'shift', r.shift, 0),
    dropout: num(flag('dropout'), 'dropout', r.dropout, 0, 0.9),
    styleDropout: num(flag('style-dropout'), 'style-dropout', r.styleDropout, 0, 1),
  };
  return {
    backend,
    allowSoftwareGpu: values['allow-software-gpu'] === true,
    threads,
    recipe,
    limit: flag('limit') === undefined ? null : int(flag('limit'), 'limit', 0, 1),
    maxSteps: flag('max-steps') === undefined ? null : int(flag('max-steps'), 'max-steps', 0, 1),
    runDir: flag('run-dir') ?? null,
    resume: values.resume === true,
    checkpointEvery: int(flag('checkpoint-every'), 'checkpoint-every', 200, 1),
    out: flag('out') ?? defaultOut,
    export: !values['no-export'],
    sheets: !values['no-sheets'],
    initFrom: flag('init-from') ?? null,
    styleFeatures: evenWidth(flag('style-features'), 'style-features'),
  };
}

export class UsageError extends Error {}

/** A sinusoid feature width: even (sin and cos pairs), 0 for none. */
export function evenWidth(raw: string | undefined, flag: string): number {
  const n = int(raw, flag, 0, 0);
  if (n % 2) throw new UsageError(`--${flag} must be even (sin and cos pairs), got ${raw}`);
  return n;
}

export function int(raw: string | undefined, flag: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

export function num(raw: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag} must be a number in [${min}, ${max}], got ${raw}`);
  return n;
}
