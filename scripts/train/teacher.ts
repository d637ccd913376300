/**
 * The teacher's side of guidance distillation (Meng et al., "On Distillation of
 * Guided Diffusion Models", CVPR 2023): the student learns, in one row, what
 * the teacher draws with classifier-free guidance in two,
 *   v_w = v_uncond + w · (v_cond − v_uncond),
 * for scales w across the range the API allows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../src/model/rng';
import type { Model } from '../../src/model/sampler';
import type { NoiseSchedule } from '../../src/model/schedule';
import { denoise, MAX_GUIDANCE } from '../../src/model/unet';

/**
 * A guidance scale in [0, MAX_GUIDANCE], denser at small w (w = MAX·u²: 45 % of
 * draws below 2, the served default), where the useful scales are. With a
 * focus, half the draws instead fall uniformly within ±1 of it (cut to the range), so a narrow
 * student spends more of itself on the scale most requests use.
 */
export function sampleGuidance(rng: Rng, focus: number | null = null): number {
  if (focus !== null && rng.uniform() < 0.5) {
    // Uniform on [focus − 1, focus + 1] cut to the range, so no draws pile up at 0 or MAX.
    const lo = Math.max(0, focus - 1);
    const hi = Math.min(MAX_GUIDANCE, focus + 1);
    return lo + (hi - lo) * rng.uniform();
  }
  return MAX_GUIDANCE * rng.uniform() ** 2;
}

/**
 * The teacher's guided v for a batch, each image at its own scale w ([B]). A
 * teacher that is itself guidance-distilled (a student being pruned) takes w directly.
 */
export function guidedTarget(teacher: Model, x: tf.Tensor4D, t: tf.Tensor1D, labels: tf.Tensor1D, w: tf.Tensor1D, style?: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    if (teacher.unet.guidanceFeatures) {
      // A step-distilled teacher is asked in its small-step mode (step size 0).
      return denoise(teacher.params, teacher.unet, x, t, labels, teacher.schedule.timesteps, { guidance: w, stepSize: tf.zerosLike(t), style });
    }
    const batch = x.shape[0];
    const nullLabels = tf.fill([batch], teacher.unet.classes, 'int32') as tf.Tensor1D;
    // Guidance is on the class and the style together, as in the sampler: the unconditional row has neither.
    const styles = style && tf.concat([style, tf.zerosLike(style)]);
    const v = denoise(teacher.params, teacher.unet, tf.concat([x, x]), tf.concat([t, t]), tf.concat([labels, nullLabels]), teacher.schedule.timesteps, { style: styles });
    const [vCond, vUncond] = tf.split(v, 2);
    return tf.add(vUncond, tf.mul(tf.sub(vCond, vUncond), tf.reshape(w, [-1, 1, 1, 1]))) as tf.Tensor4D;
  });
}

/**
 * Two teachers for a student with style inputs: rows given a style (flag column
 * 2 of `style` set) ask `styled`, rows without ask `plain`, a teacher with no
 * style inputs that draws the served no-style digits better than `styled` does
 * with its style dropped. Rows keep their batch order.
 */
export function guidedTargetByStyle(styled: Model, plain: Model | undefined, x: tf.Tensor4D, t: tf.Tensor1D, labels: tf.Tensor1D, w: tf.Tensor1D, style?: tf.Tensor2D): tf.Tensor4D {
  if (!plain || !style) return guidedTarget(styled, x, t, labels, w, style);
  return tf.tidy(() => {
    const given = tf.slice(style, [0, 2], [-1, 1]).dataSync();
    const plainRows: number[] = [];
    const styledRows: number[] = [];
    given.forEach((flag, row) => (flag > 0 ? styledRows : plainRows).push(row));
    const targetOf = (teacher: Model, rows: number[], styles?: tf.Tensor2D) => {
      const pick = <R extends tf.Rank>(tensor: tf.Tensor<R>) => tf.gather(tensor, rows) as tf.Tensor<R>;
      return guidedTarget(teacher, pick(x), pick(t), pick(labels), pick(w), styles && pick(styles));
    };
    const parts = [...(plainRows.length ? [targetOf(plain, plainRows)] : []), ...(styledRows.length ? [targetOf(styled, styledRows, style)] : [])];
    // Row r of the batch sits at position inverse[r] of [plain rows…, styled rows…].
    const inverse = new Int32Array(given.length);
    [...plainRows, ...styledRows].forEach((row, position) => (inverse[row] = position));
    return tf.gather(tf.concat(parts), inverse) as tf.Tensor4D;
  });
}

/** A network's v for a batch at its timesteps [B] (the other conditioning bound in). */
export type VelocityFn = (x: tf.Tensor4D, t: tf.Tensor1D) => tf.Tensor4D;

/**
 * Progressive distillation's target (Salimans & Ho, ICLR 2022), for a student
 * sampling with DDIM on `grid` (descending timesteps): from x_t the teacher
 * takes two DDIM steps, t → t' (half-way) → t'' (the grid's next point, or the
 * clean image), and the target is the v whose single DDIM step t → t'' lands
 * where the teacher's two did:
 *   x̂₀ = (x_t'' − (σ''/σ)·x_t) / (α'' − σ''·α/σ),   v = (α·x_t − x̂₀) / σ.
 * The teacher's steps clip x̂₀ to [-1, 1] as the served sampler does.
 */
export function twoStepTarget(teacherV: VelocityFn, schedule: NoiseSchedule, x: tf.Tensor4D, timesteps: Float32Array, grid: number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const mix = (t: number) => (t < 0 ? { signal: 1, noise: 0 } : schedule.mix(t));
    const ts = Array.from(timesteps);
    const next = ts.map((t) => grid[grid.indexOf(t) + 1] ?? -1);
    const half = ts.map((t, i) => Math.round((t + next[i]) / 2));
    const column = (values: number[]) => tf.tensor4d(values, [values.length, 1, 1, 1]);
    // One DDIM step of the teacher from x at timesteps `from` to `to`.
    const ddim = (xs: tf.Tensor4D, from: number[], to: number[]) => {
      const now = from.map(mix);
      const then = to.map(mix);
      const alpha = column(now.map((m) => m.signal));
      const sigma = column(now.map((m) => m.noise));
      const v = teacherV(xs, tf.tensor1d(from));
      const x0 = tf.clipByValue(tf.sub(tf.mul(xs, alpha), tf.mul(v, sigma)), -1, 1);
      const eps = tf.div(tf.sub(xs, tf.mul(x0, alpha)), sigma);
      return tf.add(tf.mul(x0, column(then.map((m) => m.signal))), tf.mul(eps, column(then.map((m) => m.noise)))) as tf.Tensor4D;
    };
    const landed = ddim(ddim(x, ts, half), half, next);
    const now = ts.map(mix);
    const end = next.map(mix);
    const ratio = end.map((e, i) => e.noise / now[i].noise);
    const x0 = tf.div(tf.sub(landed, tf.mul(x, column(ratio))), column(end.map((e, i) => e.signal - ratio[i] * now[i].signal)));
    return tf.div(tf.sub(tf.mul(x, column(now.map((m) => m.signal))), x0), column(now.map((m) => m.noise))) as tf.Tensor4D;
  });
}
