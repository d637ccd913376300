/**
 * One training run's state and its step: the diffusion objective on the
 * denoiser from src/model, optimised with AdamW, warm-up + cosine learning
 * rate, global-norm gradient clipping and an EMA of the weights.
 *
 * Every random choice (data order, label dropout, timesteps, noise, shifts,
 * dropout masks, guidance scales) comes from our seeded Rng, whose state is
 * checkpointed, so a resumed run takes exactly the steps an uninterrupted one would.
 *
 * With a teacher (scripts/distill.ts) the same loop distils: the target is the
 * teacher's classifier-free-guided v at a random scale w instead of the true v,
 * and the student takes w as an input (guidance distillation, Meng et al. 2023).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type RngState } from '../../src/model/rng';
import { NoiseSchedule } from '../../src/model/schedule';
import { denoise, embedInputs, paramSpecs, type ParamSpec, type Params, type UNetConfig } from '../../src/model/unet';
import type { Digits } from './mnist';
import { measureStyle } from '../../src/image/style';
import { styleScores, type StyleStats } from '../../src/model/style-prior';
import { pearson } from '../eval/stats';
import { noiseImage, toModelRange } from '../../src/model/objective';
import type { Model } from '../../src/model/sampler';
import { guidedTargetByStyle, sampleGuidance, twoStepTarget } from './teacher';

export interface Recipe {
  seed: number;
  batchSize: number;
  epochs: number;
  /** Peak learning rate, reached after warmupSteps, then cosine decay to lrFloor × peak. */
  lr: number;
  lrFloor: number;
  warmupSteps: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  emaDecay: number;
  /** Share of examples trained with the null class, so one network also predicts unconditionally. */
  labelDropout: number;
  /** Random integer shifts of up to this many pixels in x and y (augmentation). */
  shift: number;
  /** Dropout rate inside residual blocks. */
  dropout: number;
  /** Share of examples trained with no style given (networks with style inputs only). */
  styleDropout: number;
}

export const DEFAULT_RECIPE: Recipe = {
  seed: 1,
  batchSize: 128,
  epochs: 10,
  lr: 2e-3,
  lrFloor: 0.05,
  warmupSteps: 300,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  gradClip: 1,
  emaDecay: 0.999,
  labelDropout: 0.1,
  shift: 1,
  dropout: 0,
  styleDropout: 0.15,
};

export interface StepStats {
  loss: number;
  lr: number;
  gradNorm: number;
}

export class NonFiniteLossError extends Error {}

type Slots = Record<string, tf.Variable>;

export interface TrainerOptions {
  /** Starting weights (e.g. the teacher pruned to the student's width); default: fresh initialisation. */
  init?: Record<string, Float32Array>;
  /** Distil from this frozen model's guided predictions instead of learning from the true v. */
  teacher?: Model;
  /** With style inputs: the teacher of the examples given no style (default: `teacher` for all). */
  plainTeacher?: Model;
  /** Where distillation spends its examples; default: guidance across the whole range, step counts equally. */
  emphasis?: DistillEmphasis;
}

/** Distillation's emphasis on the requests that matter most (the served default). */
export interface DistillEmphasis {
  /** Half the guidance scales drawn within ±1 of this scale (see sampleGuidance); null: none favoured. */
  guidanceFocus: number | null;
  /** Relative share of each distilled step count (parallel to distilledSteps); empty: equal shares. */
  stepWeights: number[];
  /** Share of each batch kept for the small-step mode (null: SMALL_STEP_SHARE). */
  smallStepShare: number | null;
  /**
   * Weigh each example's loss by 1 / (1 + (w/2)²). The guided target v_u + w·(v_c − v_u)
   * grows with w, and the student's error with it (measured on the served student:
   * MSE 0.024 at w = 1, 0.032 at 2, 0.10 at 5, 0.41 at 10, about 0.02·(1 + (w/2)²)),
   * so unweighted, the few draws at w ≥ 5 make most of the gradient; weighted,
   * every scale counts about alike.
   */
  guidanceLossWeight: boolean;
  /**
   * Step distillation's two-step targets from the EMA weights instead of the online ones:
   * a slower-moving, less noisy teacher for the few-step modes (as consistency models'
   * target network). Default false.
   */
  emaTargets?: boolean;
  /**
   * Weight of a term that pulls x̂₀ to black where the training digit is black, scaled
   * by ᾱ_t (so only where the picture is already mostly signal, as at the sampler's
   * last steps): the haze the network leaves over MNIST's exact-zero background is
   * unlearnt where it arises instead of cleared afterwards. Default 0 (off).
   */
  backgroundLoss?: number;
  /**
   * Extra weight of the background term on the ring: black pixels with an 8-neighbour
   * of ink (grey > 128). MNIST leaves 54 % of that ring exactly black; the students draw
   * it grey, and it is the census's whole remaining gap (docs/history.md §6). Each ring
   * pixel counts 1 + ringWeight times. Default 0 (the ring weighs as the rest).
   */
  ringWeight?: number;
  /**
   * Weight of a term on the guidance slope. Examples come in pairs that share x_t, t, class,
   * style and step count but have two scales w₁, w₂; the term is the squared error of the
   * difference of the student's two predictions against the difference of their targets
   * (for the small-step mode (w₁ − w₂)·(v_c − v_u), the teacher's class direction). An error
   * the student makes alike at every scale cancels in the difference, so this counts only
   * how the prediction changes with w: the part guidance reads the class from, a small share
   * of the plain loss that the narrow students learn least well (issue 19). Default 0 (off:
   * every example its own digit, as before the flag).
   */
  guidanceSlope?: number;
  /**
   * Train only the style inputs' first-layer weights, the rows of embed1.w that the
   * style features feed; every other weight, and its EMA, stays as it started. With no
   * style given those features are exactly zero (src/model/unet.ts), so the fp32 network
   * draws as it started wherever no style is asked for. So does the int8 export: it takes
   * one scale per column of embed1.w over every row, so each trained weight is kept within
   * its column's largest frozen one, and where that is the column's largest (as in both
   * served sets) the scales, and so the plain rows' int8 bytes, stay as they started (a
   * style row that outgrew its column moved them: reports/style-only/RULE.md). Default false.
   */
  styleOnly?: boolean;
}

/** The per-example loss weight of DistillEmphasis.guidanceLossWeight, and its formula for provenance. */
export const lossWeightAtGuidance = (w: number) => 1 / (1 + (w / 2) ** 2);
export const LOSS_WEIGHT_FORMULA = '1 / (1 + (w/2)²)';

/**
 * Mean squared error over pixels, with each example weighted ([B] weights,
 * normalised by their sum so the loss and gradient keep the unweighted scale).
 */
export function weightedMse(prediction: tf.Tensor4D, target: tf.Tensor4D, weights: tf.Tensor1D | null): tf.Scalar {
  const error = tf.squaredDifference(prediction, target);
  if (!weights) return tf.mean(error);
  const perExample = tf.mean(error, [1, 2, 3]);
  return tf.div(tf.sum(tf.mul(perExample, weights)), tf.sum(weights));
}

/** Default share of each distillation batch spent on the small-step mode; the rest is split over the distilled step counts. */
export const SMALL_STEP_SHARE = 0.4;

/** A run of consecutive batch examples trained for one step count (0: small steps, against the teacher). */
interface StepGroup {
  steps: number;
  start: number;
  size: number;
}

/** Everything a checkpoint must hold. */
export interface TrainerSnapshot {
  step: number;
  rng: RngState;
  groups: Record<'params' | 'm' | 'v' | 'ema', Record<string, Float32Array>>;
}

export class Trainer {
  readonly specs: ParamSpec[];
  readonly schedule: NoiseSchedule;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  step = 0;
  private rng: Rng;
  private params: Slots = {};
  private m: Slots = {};
  private v: Slots = {};
  private ema: Slots = {};
  private permutation: { epoch: number; order: Int32Array } | null = null;
  private readonly teacher?: Model;
  private readonly plainTeacher?: Model;
  private readonly guidanceFocus: number | null;
  private readonly weighLossByGuidance: boolean;
  private readonly emaTargets: boolean;
  private readonly backgroundLoss: number;
  private readonly ringWeight: number;
  private readonly guidanceSlope: number;
  /** The parameters trained; for those trained only in part a 0/1 mask of their shape, and the bound |w| stays within. */
  private readonly trained: TrainedParams;
  /** Step distillation: which batch examples train which step count. */
  private readonly stepGroups: StepGroup[];
  /** Each training digit's slant and thickness (count × 2), for networks with style inputs. */
  readonly styles: Float32Array | null;

  constructor(
    readonly recipe: Recipe,
    readonly unet: UNetConfig,
    schedule: NoiseSchedule,
    private readonly data: Digits,
    opts: TrainerOptions = {},
  ) {
    this.teacher = opts.teacher;
    this.plainTeacher = opts.plainTeacher;
    if (this.plainTeacher && !unet.styleFeatures) throw new Error('a plain teacher needs a student with style inputs (--style-features)');
    this.guidanceFocus = opts.emphasis?.guidanceFocus ?? null;
    this.weighLossByGuidance = opts.emphasis?.guidanceLossWeight ?? false;
    this.emaTargets = opts.emphasis?.emaTargets ?? false;
    this.backgroundLoss = opts.emphasis?.backgroundLoss ?? 0;
    this.ringWeight = opts.emphasis?.ringWeight ?? 0;
    this.guidanceSlope = opts.emphasis?.guidanceSlope ?? 0;
    if (this.guidanceSlope > 0 && !this.teacher) throw new Error('the guidance-slope term needs a teacher (it is a distillation term)');
    this.stepGroups = this.teacher && unet.stepFeatures ? stepGroups(recipe.batchSize, unet.distilledSteps ?? [], opts.emphasis?.stepWeights ?? [], opts.emphasis?.smallStepShare ?? SMALL_STEP_SHARE) : [];
    if (this.teacher && !unet.guidanceFeatures) throw new Error('a distilled student needs guidanceFeatures > 0 (it takes the guidance scale as input)');
    this.specs = paramSpecs(unet);
    this.schedule = schedule;
    this.stepsPerEpoch = Math.floor(data.count / recipe.batchSize);
    if (this.stepsPerEpoch < 1) throw new Error(`batch size ${recipe.batchSize} is larger than the ${data.count} training images`);
    this.totalSteps = this.stepsPerEpoch * recipe.epochs;
    this.rng = new Rng(recipe.seed);
    this.styles = unet.styleFeatures ? measureStyles(data) : null;
    const init = opts.init ?? initialParams(this.specs, new Rng(recipe.seed ^ 0x5eed));
    this.trained = opts.emphasis?.styleOnly ? styleRowsOnly(unet, init['embed1.w']) : { names: this.specs.map((s) => s.name), masks: {}, bounds: {} };
    for (const spec of this.specs) {
      this.params[spec.name] = tf.variable(tf.tensor(init[spec.name], spec.shape), true, `p/${spec.name}`);
      this.m[spec.name] = tf.variable(tf.zeros(spec.shape), false, `m/${spec.name}`);
      this.v[spec.name] = tf.variable(tf.zeros(spec.shape), false, `v/${spec.name}`);
      this.ema[spec.name] = tf.variable(tf.tensor(init[spec.name], spec.shape), false, `ema/${spec.name}`);
    }
  }

  get epoch(): number {
    return Math.floor(this.step / this.stepsPerEpoch);
  }

  /** The EMA weights as the network's parameters (what sample sheets and the export use). */
  emaParams(): Params {
    return this.ema;
  }

  learningRate(step: number): number {
    const { lr, warmupSteps, lrFloor } = this.recipe;
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, this.totalSteps - warmupSteps));
    return lr * (lrFloor + (1 - lrFloor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  /** One optimisation step. Throws NonFiniteLossError (leaving the weights untouched) on NaN/Inf. */
  async trainStep(): Promise<StepStats> {
    const batch = this.nextBatch();
    const r = this.recipe;
    const lr = this.learningRate(this.step);
    const { names, masks } = this.trained;
    const { loss, gradNorm, grads } = tf.tidy(() => {
      const x = tf.tensor4d(batch.noisy, [batch.size, 28, 28, 1]);
      const t = tf.tensor1d(batch.timesteps, 'float32');
      const labels = tf.tensor1d(batch.labels, 'int32');
      const guidance = batch.guidance && tf.tensor1d(batch.guidance);
      const stepSize = this.stepGroups.length ? tf.tensor1d(this.stepSizes(batch.size)) : undefined;
      const style = batch.style ? tf.tensor2d(batch.style, [batch.size, 3]) : undefined;
      const target = !this.teacher || !guidance
        ? tf.tensor4d(batch.target, [batch.size, 28, 28, 1])
        : this.stepGroups.length
          ? this.stepDistillationTarget(x, t, batch.timesteps, labels, guidance, style)
          : guidedTargetByStyle(this.teacher, this.plainTeacher, x, t, labels, guidance, style);
      const options = { ...(r.dropout > 0 ? this.dropoutMasks() : {}), ...(guidance ? { guidance } : {}), ...(stepSize ? { stepSize } : {}), ...(style ? { style } : {}) };
      const weights = this.weighLossByGuidance && batch.guidance ? tf.tensor1d(batch.guidance.map(lossWeightAtGuidance)) : null;
      const background = this.backgroundLoss > 0 ? this.backgroundTerm(batch) : null;
      const slope = batch.pairs ? slopeTerm(batch.pairs, target) : null;
      const { value, grads } = tf.variableGrads(() => {
        const v = denoise(this.params, this.unet, x, t, labels, this.schedule.timesteps, options);
        let loss = weightedMse(v, target, weights);
        if (background) loss = tf.add(loss, tf.mul(background(x, v), this.backgroundLoss));
        if (slope) loss = tf.add(loss, tf.mul(slope(v), this.guidanceSlope));
        return loss as tf.Scalar;
      }, names.map((n) => this.params[n]));
      // variableGrads keys gradients by variable name ("p/<param>").
      const byParam = names.map((n) => (masks[n] ? tf.mul(grads[this.params[n].name], masks[n]) : grads[this.params[n].name]));
      // A running sum rather than one tf.addN: WebGPU caps the buffers one shader may bind (8 on lavapipe).
      const norm = tf.sqrt(byParam.reduce<tf.Tensor>((acc, g) => tf.add(acc, tf.sum(tf.square(g))), tf.scalar(0)));
      return { loss: tf.keep(value), gradNorm: tf.keep(norm), grads: Object.fromEntries(names.map((n, i) => [n, tf.keep(byParam[i])])) };
    });
    const [lossValue] = await loss.data();
    const [normValue] = await gradNorm.data();
    loss.dispose();
    gradNorm.dispose();
    try {
      if (!Number.isFinite(lossValue) || !Number.isFinite(normValue)) {
        throw new NonFiniteLossError(`loss became ${lossValue} (gradient norm ${normValue}) at step ${this.step}`);
      }
      this.applyAdamW(grads, lr, Math.min(1, r.gradClip / (normValue + 1e-6)));
    } finally {
      tf.dispose(Object.values(grads));
    }
    this.step++;
    return { loss: lossValue, lr, gradNorm: normValue };
  }

  /**
   * Step distillation in one network (as in shortcut models, Frans et al. 2024):
   * small-step examples learn the teacher's guided v; a K-step example learns
   * the v whose one DDIM step lands where two of the student's own steps at 2K
   * land (its small-step mode once 2K is not distilled), so 4 steps learn from
   * 8, 2 from 4 and 1 from 2, all at once. The student's own predictions are
   * targets only: no gradient flows through them.
   */
  private stepDistillationTarget(x: tf.Tensor4D, t: tf.Tensor1D, timesteps: Float32Array, labels: tf.Tensor1D, w: tf.Tensor1D, style?: tf.Tensor2D): tf.Tensor4D {
    const T = this.schedule.timesteps;
    const distilled = this.unet.distilledSteps ?? [];
    const targets = this.stepGroups.map(({ steps, start, size }) => {
      const part = <R extends tf.Rank>(tensor: tf.Tensor<R>) => tf.slice(tensor, start, size) as tf.Tensor<R>;
      const [xs, ys, ws] = [part(x), part(labels), part(w)];
      const styles = style && part(style);
      if (steps === 0) return guidedTargetByStyle(this.teacher!, this.plainTeacher, xs, part(t), ys, ws, styles);
      const teacherStepSize = distilled.includes(2 * steps) ? T / (2 * steps) : 0;
      const selfV = (xt: tf.Tensor4D, at: tf.Tensor1D) =>
        denoise(this.emaTargets ? this.ema : this.params, this.unet, xt, at, ys, T, { guidance: ws, stepSize: tf.fill([size], teacherStepSize) as tf.Tensor1D, style: styles });
      return twoStepTarget(selfV, this.schedule, xs, timesteps.subarray(start, start + size), this.schedule.samplingTimesteps(steps));
    });
    return tf.concat(targets) as tf.Tensor4D;
  }

  /**
   * The background term of DistillEmphasis.backgroundLoss for a batch: mean over pixels of
   * ᾱ_t · (x̂₀ + 1)² where the clean digit is black (the ring beside ink weighted up by
   * ringWeight), x̂₀ = √ᾱ·x_t − √(1−ᾱ)·v̂.
   */
  private backgroundTerm(batch: { size: number; clean: Float32Array; timesteps: Float32Array }) {
    const mixes = Array.from(batch.timesteps, (t) => this.schedule.mix(t));
    const column = (values: number[]) => tf.tensor4d(values, [values.length, 1, 1, 1]);
    const signal = column(mixes.map((m) => m.signal));
    const noise = column(mixes.map((m) => m.noise));
    const weight = tf.mul(tf.square(signal), backgroundWeights(tf.tensor4d(batch.clean, [batch.size, 28, 28, 1]), this.ringWeight));
    return (x: tf.Tensor4D, v: tf.Tensor4D): tf.Scalar => {
      const x0 = tf.sub(tf.mul(x, signal), tf.mul(v, noise));
      return tf.mean(tf.mul(weight, tf.square(tf.add(x0, 1))));
    };
  }

  /** Each example's step-size input: T/K for the K-step groups, 0 for small steps. */
  private stepSizes(batchSize: number): Float32Array {
    const sizes = new Float32Array(batchSize);
    for (const g of this.stepGroups) sizes.fill(g.steps ? this.schedule.timesteps / g.steps : 0, g.start, g.start + g.size);
    return sizes;
  }

  private applyAdamW(grads: Record<string, tf.Tensor>, lr: number, clip: number): void {
    const r = this.recipe;
    const t = this.step + 1;
    const c1 = 1 - r.beta1 ** t;
    const c2 = 1 - r.beta2 ** t;
    // EMA warm-up (as in many diffusion codebases): early weights are averaged over fewer steps.
    const decay = Math.min(r.emaDecay, (1 + this.step) / (10 + this.step));
    tf.tidy(() => {
      // Only the trained parameters move; a frozen one keeps its value and EMA bit for bit.
      for (const spec of this.specs.filter((s) => grads[s.name])) {
        const name = spec.name;
        const mask = this.trained.masks[name];
        const g = tf.mul(grads[name], clip);
        const p = this.params[name];
        this.m[name].assign(tf.add(tf.mul(this.m[name], r.beta1), tf.mul(g, 1 - r.beta1)));
        this.v[name].assign(tf.add(tf.mul(this.v[name], r.beta2), tf.mul(tf.square(g), 1 - r.beta2)));
        const update = tf.div(tf.div(this.m[name], c1), tf.add(tf.sqrt(tf.div(this.v[name], c2)), 1e-8));
        // Decoupled weight decay on weight matrices only; biases and embeddings are left free.
        // (Masked rows: zero gradient, so zero moments and update; the decay and EMA skip them too.)
        const decay1 = mask ? tf.sub(1, tf.mul(mask, lr * r.weightDecay)) : 1 - lr * r.weightDecay;
        const decayed = spec.kind === 'conv' || spec.kind === 'dense' ? tf.mul(p, decay1) : p;
        const bound = this.trained.bounds[name];
        const within = (w: tf.Tensor) => (bound ? tf.minimum(tf.maximum(w, tf.neg(bound)), bound) : w);
        p.assign(within(tf.sub(decayed, tf.mul(update, lr))));
        // Clamped too: float rounding can carry an average of two bounded values past the bound.
        const averaged = within(tf.add(tf.mul(this.ema[name], decay), tf.mul(p, 1 - decay)));
        this.ema[name].assign(mask ? tf.where(tf.cast(mask, 'bool'), averaged, this.ema[name]) : averaged);
      }
    });
  }

  private dropoutMasks() {
    const rate = this.recipe.dropout;
    return {
      dropout: rate,
      dropoutMask: (shape: number[], p: number) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const mask = new Float32Array(n);
        for (let i = 0; i < n; i++) mask[i] = this.rng.uniform() < p ? 0 : 1 / (1 - p);
        return tf.tensor(mask, shape);
      },
    };
  }

  /**
   * Builds the next batch: x_t = √ᾱ·x₀ + √(1−ᾱ)·ε and its target v = √ᾱ·ε − √(1−ᾱ)·x₀.
   * Distilling, every example keeps its true class and gets a guidance scale w.
   * With style inputs, each example also gets its digit's style, or none (style dropout).
   */
  private nextBatch() {
    const { batchSize, labelDropout, shift, styleDropout } = this.recipe;
    const order = this.epochOrder(this.epoch);
    const start = (this.step % this.stepsPerEpoch) * batchSize;
    const noisy = new Float32Array(batchSize * 784);
    const target = new Float32Array(batchSize * 784);
    const timesteps = new Float32Array(batchSize);
    const labels = new Int32Array(batchSize);
    const guidance = this.teacher ? new Float32Array(batchSize) : null;
    const style = this.styles ? new Float32Array(batchSize * 3) : null;
    const clean = new Float32Array(784);
    const moved = new Float32Array(784);
    // The clean digits themselves, kept only for the background term.
    const cleanBatch = new Float32Array(this.backgroundLoss > 0 ? batchSize * 784 : 0);
    // Step distillation trains each group at the timesteps its sampler visits.
    const grids = this.stepGroups.map((g) => ({ ...g, grid: g.steps ? this.schedule.samplingTimesteps(g.steps) : null }));
    const pairs = this.guidanceSlope > 0 ? slopePairs(batchSize, this.stepGroups) : null;
    for (let b = 0; b < batchSize; b++) {
      if (pairs?.second.has(b)) {
        // The pair's second example: the first's digit, noise, timestep and style at a scale of its own.
        copyExample(b - 1, b, [noisy, target, cleanBatch], 784);
        if (style) copyExample(b - 1, b, [style], 3);
        timesteps[b] = timesteps[b - 1];
        labels[b] = labels[b - 1];
        guidance![b] = sampleGuidance(this.rng, this.guidanceFocus);
        continue;
      }
      const index = order[start + b];
      const grid = grids.find((g) => b >= g.start && b < g.start + g.size)?.grid;
      if (guidance) {
        labels[b] = this.data.labels[index];
        guidance[b] = sampleGuidance(this.rng, this.guidanceFocus);
      } else {
        labels[b] = this.rng.uniform() < labelDropout ? this.unet.classes : this.data.labels[index];
      }
      // Shifts leave slant and thickness as they are, so the digit's measured style holds for the moved one.
      if (style && this.rng.uniform() >= styleDropout) style.set([this.styles![2 * index], this.styles![2 * index + 1], 1], 3 * b);
      const t = grid ? grid[this.rng.int(grid.length)] : this.rng.int(this.schedule.timesteps);
      timesteps[b] = t;
      const dx = shift > 0 ? this.rng.int(2 * shift + 1) - shift : 0;
      const dy = shift > 0 ? this.rng.int(2 * shift + 1) - shift : 0;
      shifted(toModelRange(this.data.images.subarray(index * 784, (index + 1) * 784), clean), dx, dy, moved);
      if (cleanBatch.length) cleanBatch.set(moved, b * 784);
      noiseImage(this.schedule, moved, t, this.rng, noisy, target, b * 784);
    }
    return { size: batchSize, noisy, target, timesteps, labels, guidance, style, clean: cleanBatch, pairs: pairs && pairs.first };
  }

  /** Each epoch's order depends only on (seed, epoch): no state to save for it. */
  private epochOrder(epoch: number): Int32Array {
    if (this.permutation?.epoch !== epoch) {
      const rng = new Rng((this.recipe.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      this.permutation = { epoch, order: rng.permutation(this.data.count) };
    }
    return this.permutation.order;
  }

  async snapshot(): Promise<TrainerSnapshot> {
    const read = async (slots: Slots) =>
      Object.fromEntries(await Promise.all(this.specs.map(async (s) => [s.name, (await slots[s.name].data()) as Float32Array] as const)));
    return {
      step: this.step,
      rng: this.rng.state(),
      groups: { params: await read(this.params), m: await read(this.m), v: await read(this.v), ema: await read(this.ema) },
    };
  }

  restore(snap: TrainerSnapshot): void {
    this.step = snap.step;
    this.rng = Rng.fromState(snap.rng);
    const groups = { params: this.params, m: this.m, v: this.v, ema: this.ema };
    for (const [group, slots] of Object.entries(groups) as [keyof typeof groups, Slots][]) {
      for (const spec of this.specs) {
        const values = snap.groups[group][spec.name];
        if (!values || values.length !== slots[spec.name].size) throw new Error(`checkpoint: ${group}/${spec.name} is missing or has the wrong size`);
        slots[spec.name].assign(tf.tensor(values, spec.shape));
      }
    }
  }

  dispose(): void {
    for (const slots of [this.params, this.m, this.v, this.ema, this.trained.masks, this.trained.bounds]) tf.dispose(Object.values(slots));
  }
}

/**
 * The guidance-slope pairs of a batch: consecutive examples within one step group
 * (an odd-sized group leaves its last example unpaired). `first` lists each pair's
 * first index; its second is the next one.
 */
export function slopePairs(batchSize: number, groups: readonly StepGroup[]): { first: Int32Array; second: Set<number> } {
  const first: number[] = [];
  for (const { start, size } of groups.length ? groups : [{ start: 0, size: batchSize }]) {
    for (let b = start; b + 1 < start + size; b += 2) first.push(b);
  }
  return { first: Int32Array.from(first), second: new Set(first.map((b) => b + 1)) };
}

/** DistillEmphasis.guidanceSlope's term: mean squared error of the pairs' prediction differences against their target differences. */
export function slopeTerm(first: Int32Array, target: tf.Tensor4D): (v: tf.Tensor4D) => tf.Scalar {
  const batch = target.shape[0];
  // Row p of D is +1 at the pair's first example and −1 at its second, so D·v is the pairs' differences
  // (a matrix product rather than tf.gather, whose gradient tfjs-backend-wasm lacks).
  const d = new Float32Array(first.length * batch);
  first.forEach((a, p) => {
    d[p * batch + a] = 1;
    d[p * batch + a + 1] = -1;
  });
  const pairDifferences = tf.tensor2d(d, [first.length, batch]);
  const differences = (x: tf.Tensor4D) => tf.matMul(pairDifferences, tf.reshape(x, [batch, -1]));
  const targetDifference = differences(target);
  return (v) => tf.mean(tf.squaredDifference(differences(v), targetDifference));
}

/** Copies example `from`'s slice of each array (`size` values per example; empty arrays skipped) onto example `to`. */
function copyExample(from: number, to: number, arrays: Float32Array[], size: number): void {
  for (const array of arrays) if (array.length) array.copyWithin(to * size, from * size, (from + 1) * size);
}

/**
 * Splits a batch: `smallStepShare` for small steps, the rest over the distilled
 * step counts in proportion to their weights (equal when none are given).
 */
export function stepGroups(batchSize: number, distilled: number[], weights: number[], smallStepShare = SMALL_STEP_SHARE): StepGroup[] {
  if (weights.length && weights.length !== distilled.length) throw new Error(`${weights.length} step weights for ${distilled.length} distilled step counts`);
  if (!weights.every((w) => Number.isFinite(w) && w > 0)) throw new Error(`step weights must be positive numbers, got ${weights.join(', ')}`);
  const shares = distilled.map((_, i) => weights[i] ?? 1);
  const total = shares.reduce((a, b) => a + b, 0);
  const sizes = shares.map((w) => Math.floor((batchSize * (1 - smallStepShare) * w) / total));
  if (sizes.some((n) => n < 1)) throw new Error(`batch ${batchSize} is too small to train step counts ${distilled.join(', ')} with weights ${shares.join(', ')}`);
  const groups: StepGroup[] = [{ steps: 0, start: 0, size: batchSize - sizes.reduce((a, b) => a + b, 0) }];
  distilled.forEach((steps, i) => groups.push({ steps, start: groups.at(-1)!.start + groups.at(-1)!.size, size: sizes[i] }));
  return groups;
}

/** He-normal convs and dense layers; the last conv of each residual block and the output start at zero, so the network starts as a near-identity. */
export function initialParams(specs: ParamSpec[], rng: Rng): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const zeroInit = spec.kind === 'bias' || spec.name.endsWith('conv2.w') || spec.name === 'out.w';
    if (zeroInit) {
      out[spec.name] = new Float32Array(n);
      continue;
    }
    const fanIn = spec.kind === 'embedding' ? 1 : n / spec.shape[spec.shape.length - 1];
    const std = spec.kind === 'embedding' ? 1 : Math.sqrt(2 / fanIn);
    out[spec.name] = rng.normals(n).map((z) => z * std);
  }
  return out;
}

/** Slant and thickness of every digit (count × 2). */
export function measureStyles(data: Digits): Float32Array {
  const out = new Float32Array(data.count * 2);
  for (let i = 0; i < data.count; i++) {
    const { slant, thickness } = measureStyle(data.images.subarray(i * 784, (i + 1) * 784));
    out[2 * i] = slant;
    out[2 * i + 1] = thickness;
  }
  return out;
}

/**
 * Percentiles of each style descriptor over a data set (from measureStyles): the
 * ranges the API can ask for; and the correlation of their normal scores, with
 * which GET /number draws a hand from the data's joint distribution (src/model/style-prior.ts).
 */
export function styleRanges(styles: Float32Array): StyleStats {
  const percentiles = [1, 5, 25, 50, 75, 95, 99];
  const of = (offset: number) => {
    const values = Float64Array.from({ length: styles.length / 2 }, (_, i) => styles[2 * i + offset]).sort();
    return Object.fromEntries(percentiles.map((p) => [`p${p}`, +values[Math.round((p / 100) * (values.length - 1))].toFixed(3)])) as StyleStats['slant'];
  };
  const ranges = { slant: of(0), thickness: of(1) };
  const scores = Array.from({ length: styles.length / 2 }, (_, i) => styleScores(ranges, { slant: styles[2 * i], thickness: styles[2 * i + 1] }));
  return { ...ranges, correlation: +pearson(scores.map(([a]) => a), scores.map(([, b]) => b)).toFixed(3) };
}

/** Shifts a 28×28 image by (dx, dy) pixels, filling with background (-1). */
function shifted(src: Float32Array, dx: number, dy: number, out: Float32Array): Float32Array {
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      out[y * 28 + x] = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? src[sy * 28 + sx] : -1;
    }
  }
  return out;
}

interface TrainedParams {
  names: string[];
  masks: Record<string, tf.Tensor>;
  /** |w| ≤ bound, broadcast over the parameter ([1, columns] for a matrix). */
  bounds: Record<string, tf.Tensor>;
}

/**
 * DistillEmphasis.styleOnly: embed1.w alone, and of it the rows the style features feed,
 * each column bounded by its largest frozen weight (`start`: embed1.w as it started).
 */
function styleRowsOnly(unet: UNetConfig, start: Float32Array): TrainedParams {
  const parts = embedInputs(unet);
  const rows = parts.reduce((n, part) => n + part.width, 0);
  const style = parts.findIndex((part) => part.part === 'style');
  if (!unet.styleFeatures || style < 0) throw new Error('styleOnly needs a network with style inputs (--style-features)');
  const first = parts.slice(0, style).reduce((n, part) => n + part.width, 0);
  const width = parts[style].width;
  const columns = unet.embedDim;
  const mask = new Float32Array(rows * columns).fill(1, first * columns, (first + width) * columns);
  const largest = new Float32Array(columns);
  start.subarray(0, first * columns).forEach((w, i) => (largest[i % columns] = Math.max(largest[i % columns], Math.abs(w))));
  return { names: ['embed1.w'], masks: { 'embed1.w': tf.tensor2d(mask, [rows, columns]) }, bounds: { 'embed1.w': tf.tensor2d(largest, [1, columns]) } };
}

/**
 * Per-pixel weights of the background term for clean digits in [-1, 1]: 1 where a pixel is
 * exactly black, 1 + ringWeight where it is black beside ink (an 8-neighbour above grey 128,
 * i.e. above 0 in [-1, 1]), 0 on ink and rims.
 */
export function backgroundWeights(clean: tf.Tensor4D, ringWeight: number): tf.Tensor4D {
  return tf.tidy(() => {
    const black = tf.cast(tf.equal(clean, -1), 'float32');
    if (!ringWeight) return black as tf.Tensor4D;
    const besideInk = tf.maxPool(tf.cast(tf.greater(clean, 0), 'float32') as tf.Tensor4D, 3, 1, 'same');
    return tf.mul(black, tf.add(1, tf.mul(besideInk, ringWeight))) as tf.Tensor4D;
  });
}
