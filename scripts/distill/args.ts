/** Command-line flags of `npm run distill`: the training flags plus the teacher and the student's shape. */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE, SMALL_STEP_SHARE, type DistillEmphasis, type Recipe } from '../train/trainer';
import { MAX_GUIDANCE } from '../../src/model/unet';
import { channelsFlag, int, num, TEACHER_DIR, TRAIN_OPTIONS, trainArgsFrom, UsageError, type TrainArgs } from '../train/args';

export interface DistillArgs extends TrainArgs {
  /** Folder of the teacher's manifest.json + model.bin. */
  teacher: string;
  /** With a style teacher: the teacher of the examples given no style (null: --teacher for all). */
  plainTeacher: string | null;
  channels: [number, number, number];
  guidanceFeatures: number;
  /** Start from the teacher's most important channels (structured pruning) or from random weights. */
  init: 'prune' | 'scratch';
  /** Weights to start from (pruned or copied to the student's shape); default the teacher. */
  initFrom: string | null;
  /** Step counts to distil (each DDIM step matching two of the student's own); empty: guidance distillation only. */
  fewSteps: number[];
  stepFeatures: number;
  emphasis: DistillEmphasis;
}

/**
 * Distillation's defaults: the student starts from the pruned teacher, so a
 * shorter warm-up and a lower peak rate than training from scratch; labels are
 * never dropped (the guidance scale w = 0 asks for the unconditional prediction).
 */
export const DISTILL_RECIPE: Recipe = { ...DEFAULT_RECIPE, epochs: 6, lr: 1e-3, warmupSteps: 100, labelDropout: 0 };

export const DISTILL_USAGE = `Usage: npm run distill -- [flags]      (npm run distill:gpu -- [flags] on WebGPU)
  --teacher DIR          the teacher's weights folder (default weights/teacher)
  --plain-teacher DIR    with a style teacher: distil the examples given no style from this teacher
                         instead (e.g. weights/teacher, which draws without a style more really)
  --channels A,B,C       the student's channels at 28², 14², 7² (default 8,16,32)
  --guidance-features N  width of the student's guidance-scale features (default 16)
  --init prune|scratch   start from the teacher's strongest channels (default) or random weights
                         (at the teacher's own width, prune copies it)
  --init-from DIR        start from these weights instead of the teacher's (e.g. a distilled student)
  --few-steps LIST       also distil these DDIM step counts (e.g. 1,2,4): the student gets the step
                         size as input and each K-step step learns to land where two of its own
                         2K-step steps land (default: none, guidance distillation only)
  --step-features N      width of the step-size features (default 8)
  --small-step-share X   share of each batch that trains the small-step mode against the teacher,
                         the mode every step count the student was not distilled for uses (default
                         ${SMALL_STEP_SHARE}; raise it for a student that also serves many-step requests)
  --step-weights LIST    how the rest of each batch, the distilled step counts' share, is split over
                         the --few-steps counts, e.g. 1,1,2 to train 4 steps twice as often as 1 and 2
                         (default: equal shares; rounding leftovers go to the small-step mode)
  --guidance-focus W     draw half the guidance scales within ±1 of W (e.g. the served default 2),
                         the rest across 0-${MAX_GUIDANCE} as usual (default: no focus)
  --guidance-loss-weight weigh each example's loss by 1 / (1 + (w/2)²) (normalised over the batch), so
                         the large errors at large scales stop dominating the gradient (default: unweighted)
  --ema-targets          step distillation's two-step targets from the EMA weights, not the online ones
  --background-loss X    weight of a term pulling x̂₀ to black where the digit is black, scaled by ᾱ_t
                         (unlearns the background haze; default 0: off)
  --ring-weight X        with --background-loss, each black pixel beside ink (an 8-neighbour above grey
                         128) counts 1 + X times: the ring MNIST keeps 54 % black (default 0)
  --guidance-slope X     weight of a term on how the prediction changes with w: examples come in pairs
                         sharing digit, noise and timestep at two scales, and the difference of the
                         student's two predictions learns the difference of the targets, the teacher's
                         class direction (w₁ − w₂)·(v_c − v_u) (default 0: off)
  --style-features N     the student's style features (default: the teacher's; 0 when it has none)
  --style-dropout X      share of examples distilled with no style given (default ${DISTILL_RECIPE.styleDropout})
  --style-only           train only the style inputs' first-layer weights (embed1.w's style rows), each kept
                         within its column's largest other weight: with no style given the student, fp32 and
                         int8 export alike, draws exactly as --init-from's weights did (where, as in the
                         served sets, no style weight was a column's largest to begin with)
  --out DIR              where to export the student's int8 weights (default: weights/ in the run
                         folder). The served sets' folders (weights, weights/few-step) are written
                         only when named here
  --epochs N · --batch N · --lr X · --warmup N · --ema X · --weight-decay X · --shift N · --seed N
                         as for training (defaults ${DISTILL_RECIPE.epochs} · ${DISTILL_RECIPE.batchSize} · ${DISTILL_RECIPE.lr} · ${DISTILL_RECIPE.warmupSteps} · ${DISTILL_RECIPE.emaDecay} · ${DISTILL_RECIPE.weightDecay} · ${DISTILL_RECIPE.shift} · ${DISTILL_RECIPE.seed})
  --limit N · --max-steps N · --run-dir DIR · --resume · --checkpoint-every N · --no-export · --no-sheets
  --threads N · --allow-software-gpu · --backend wasm|cpu|webgpu
                         as for training (npm run train -- --help)`;

export function parseDistillArgs(argv: string[]): DistillArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...TRAIN_OPTIONS,
      teacher: { type: 'string', default: TEACHER_DIR },
      'plain-teacher': { type: 'string' },
      channels: { type: 'string', default: '8,16,32' },
      'guidance-features': { type: 'string', default: '16' },
      init: { type: 'string', default: 'prune' },
      'init-from': { type: 'string' },
      'ema-targets': { type: 'boolean', default: false },
      'style-only': { type: 'boolean', default: false },
      'background-loss': { type: 'string' },
      'ring-weight': { type: 'string' },
      'few-steps': { type: 'string' },
      'step-features': { type: 'string', default: '8' },
      'step-weights': { type: 'string' },
      'small-step-share': { type: 'string' },
      'guidance-focus': { type: 'string' },
      'guidance-loss-weight': { type: 'boolean', default: false },
      'guidance-slope': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(DISTILL_USAGE);
    process.exit(0);
  }
  const channels = channelsFlag(values.channels!);
  const guidanceFeatures = int(values['guidance-features'], 'guidance-features', 16, 2);
  if (guidanceFeatures % 2) throw new UsageError(`--guidance-features must be even (sine and cosine pairs), got ${guidanceFeatures}`);
  if (values.init !== 'prune' && values.init !== 'scratch') throw new UsageError(`--init must be prune or scratch, got ${values.init}`);
  const few = fewSteps(values['few-steps']);
  return {
    ...trainArgsFrom(values, DISTILL_RECIPE, null),
    teacher: values.teacher!,
    plainTeacher: values['plain-teacher'] ?? null,
    channels,
    guidanceFeatures,
    init: values.init,
    initFrom: values['init-from'] ?? null,
    fewSteps: few,
    stepFeatures: int(values['step-features'], 'step-features', 8, 2),
    emphasis: { guidanceFocus: guidanceFocus(values['guidance-focus']), stepWeights: stepWeights(values['step-weights'], values['few-steps'], few.length), smallStepShare: smallStepShare(values['small-step-share'], few.length), guidanceLossWeight: values['guidance-loss-weight']!, emaTargets: values['ema-targets']!, styleOnly: values['style-only']!, backgroundLoss: num(values['background-loss'], 'background-loss', 0, 0, 100), ringWeight: ringWeight(values['ring-weight'], values['background-loss']), guidanceSlope: num(values['guidance-slope'], 'guidance-slope', 0, 0, 100) },
  };
}

function ringWeight(raw: string | undefined, backgroundLoss: string | undefined): number {
  if (raw !== undefined && backgroundLoss === undefined) throw new UsageError('--ring-weight weighs the background term: give --background-loss too');
  return num(raw, 'ring-weight', 0, 0, 100);
}

function smallStepShare(raw: string | undefined, fewStepCounts: number): number | null {
  if (raw === undefined) return null;
  if (!fewStepCounts) throw new UsageError('--small-step-share needs --few-steps');
  const share = Number(raw);
  if (!(share > 0 && share < 1)) throw new UsageError(`--small-step-share must be a fraction strictly between 0 and 1, got ${raw}`);
  return share;
}

function guidanceFocus(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const w = Number(raw);
  if (!Number.isFinite(w) || w < 0 || w > MAX_GUIDANCE) throw new UsageError(`--guidance-focus must be a scale 0-${MAX_GUIDANCE}, got ${raw}`);
  return w;
}

/** Weights in the order the step counts were given; fewSteps() sorts the counts, so the weights follow them. */
function stepWeights(raw: string | undefined, rawSteps: string | undefined, count: number): number[] {
  if (raw === undefined) return [];
  const weights = raw.split(',').map(Number);
  if (!count) throw new UsageError('--step-weights needs --few-steps');
  if (weights.length !== count || !weights.every((w) => Number.isFinite(w) && w > 0)) {
    throw new UsageError(`--step-weights needs one positive number per --few-steps count (${count}), got ${raw}`);
  }
  const steps = rawSteps!.split(',').map(Number);
  return steps.map((k, i) => [k, weights[i]] as const).sort((a, b) => a[0] - b[0]).map(([, w]) => w);
}

function fewSteps(raw: string | undefined): number[] {
  if (raw === undefined) return [];
  const steps = raw.split(',').map(Number);
  if (!steps.every((k) => Number.isInteger(k) && k >= 1 && k <= 50) || new Set(steps).size !== steps.length) {
    throw new UsageError(`--few-steps must list distinct step counts 1-50 like 1,2,4, got ${raw}`);
  }
  return steps.sort((a, b) => a - b);
}
