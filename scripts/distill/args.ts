/** Command-line flags of `npm run distill`: the training flags plus the teacher and the student's shape. */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE, type Recipe } from '../train/trainer';
import { int, TEACHER_DIR, TRAIN_OPTIONS, trainArgsFrom, UsageError, type TrainArgs } from '../train/args';

export interface DistillArgs extends TrainArgs {
  /** Folder of the teacher's manifest.json + model.bin. */
  teacher: string;
  channels: [number, number, number];
  guidanceFeatures: number;
  /** Start from the teacher's most important channels (structured pruning) or from random weights. */
  init: 'prune' | 'scratch';
  /** Weights to start from (pruned or copied to the student's shape); default the teacher. */
  initFrom: string | null;
  /** Step counts to distil (each DDIM step matching two of the student's own); empty: guidance distillation only. */
  fewSteps: number[];
  stepFeatures: number;
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
  --init-from DIR        start from these weights instead of the teacher's (e.g. a distilled student)
  --few-steps LIST       also distil these DDIM step counts (e.g. 1,2,4): the student gets the step
                         size as input and each K-step step learns to land where two of its own
                         2K-step steps land (default: none, guidance distillation only)
  --step-features N      width of the step-size features (default 8)
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
      teacher: { type: 'string', default: TEACHER_DIR },
      channels: { type: 'string', default: '8,16,32' },
      'guidance-features': { type: 'string', default: '16' },
      init: { type: 'string', default: 'prune' },
      'init-from': { type: 'string' },
      'few-steps': { type: 'string' },
      'step-features': { type: 'string', default: '8' },
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
    ...trainArgsFrom(values, DISTILL_RECIPE, 'weights'),
    teacher: values.teacher!,
    channels: channels as [number, number, number],
    guidanceFeatures,
    init: values.init,
    initFrom: values['init-from'] ?? null,
    fewSteps: fewSteps(values['few-steps']),
    stepFeatures: int(values['step-features'], 'step-features', 8, 2),
  };
}

function fewSteps(raw: string | undefined): number[] {
  if (raw === undefined) return [];
  const steps = raw.split(',').map(Number);
  if (!steps.every((k) => Number.isInteger(k) && k >= 1 && k <= 50) || new Set(steps).size !== steps.length) {
    throw new UsageError(`--few-steps must list distinct step counts 1-50 like 1,2,4, got ${raw}`);
  }
  return steps.sort((a, b) => a - b);
}
