/** Command-line flags of `npm run distill`: the training flags plus the teacher and the student's shape. */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE, type Recipe } from '../train/trainer';
import { int, TRAIN_OPTIONS, trainArgsFrom, UsageError, type TrainArgs } from '../train/args';

export interface DistillArgs extends TrainArgs {
  /** Folder of the teacher's manifest.json + model.bin. */
  teacher: string;
  channels: [number, number, number];
  guidanceFeatures: number;
  /** Start from the teacher's most important channels (structured pruning) or from random weights. */
  init: 'prune' | 'scratch';
  /** Progressive distillation: the student's DDIM step count (two teacher steps per student step); null: guidance distillation. */
  studentSteps: number | null;
}

/**
 * Distillation's defaults: the student starts from the pruned teacher, so a
 * shorter warm-up and a lower peak rate than training from scratch; labels are
 * never dropped (the guidance scale w = 0 asks for the unconditional prediction).
 */
export const DISTILL_RECIPE: Recipe = { ...DEFAULT_RECIPE, epochs: 6, lr: 1e-3, warmupSteps: 100, labelDropout: 0 };

export const DISTILL_USAGE = `Usage: npm run distill -- [flags]      (npm run distill:gpu -- [flags] on WebGPU)
  --teacher DIR          the teacher's weights folder (default weights/teacher)
  --channels A,B,C       the student's channels at 28², 14², 7² (default 8,16,32)
  --guidance-features N  width of the student's guidance-scale features (default 16)
  --init prune|scratch   start from the teacher's strongest channels (default) or random weights
                         (at the teacher's own width, prune copies it)
  --student-steps K      progressive distillation: train a K-step DDIM student, each of its steps
                         matching two DDIM steps of the teacher (a guidance-distilled student or
                         the original teacher); default: guidance distillation at every timestep
  --out DIR              where to export the student's int8 weights (default weights: served)
  --epochs N · --batch N · --lr X · --warmup N · --ema X · --weight-decay X · --shift N · --seed N
                         as for training (defaults ${DISTILL_RECIPE.epochs} · ${DISTILL_RECIPE.batchSize} · ${DISTILL_RECIPE.lr} · ${DISTILL_RECIPE.warmupSteps} · ${DISTILL_RECIPE.emaDecay} · ${DISTILL_RECIPE.weightDecay} · ${DISTILL_RECIPE.shift} · ${DISTILL_RECIPE.seed})
  --limit N · --max-steps N · --run-dir DIR · --resume · --checkpoint-every N · --no-export · --no-sheets
  --allow-software-gpu · --backend wasm|cpu|webgpu
                         as for training (npm run train -- --help)`;

export function parseDistillArgs(argv: string[]): DistillArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...TRAIN_OPTIONS,
      teacher: { type: 'string', default: 'weights/teacher' },
      channels: { type: 'string', default: '8,16,32' },
      'guidance-features': { type: 'string', default: '16' },
      init: { type: 'string', default: 'prune' },
      'student-steps': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(DISTILL_USAGE);
    process.exit(0);
  }
  const channels = values.channels!.split(',').map((c) => Number(c));
  if (channels.length !== 3 || !channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 256)) {
    throw new UsageError(`--channels must be three integers 1-256 like 8,16,32, got ${values.channels}`);
  }
  const guidanceFeatures = int(values['guidance-features'], 'guidance-features', 16, 2);
  if (guidanceFeatures % 2) throw new UsageError(`--guidance-features must be even (sine and cosine pairs), got ${guidanceFeatures}`);
  if (values.init !== 'prune' && values.init !== 'scratch') throw new UsageError(`--init must be prune or scratch, got ${values.init}`);
  return {
    ...trainArgsFrom(values, DISTILL_RECIPE),
    teacher: values.teacher!,
    channels: channels as [number, number, number],
    guidanceFeatures,
    init: values.init,
    studentSteps: values['student-steps'] === undefined ? null : int(values['student-steps'], 'student-steps', 1, 1),
  };
}
