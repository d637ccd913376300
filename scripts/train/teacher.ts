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
import { denoise, MAX_GUIDANCE } from '../../src/model/unet';

/**
 * A guidance scale in [0, MAX_GUIDANCE], denser at small w (w = MAX·u²: 45 % of
 * draws below 2, the served default), where the useful scales are.
 */
export function sampleGuidance(rng: Rng): number {
  return MAX_GUIDANCE * rng.uniform() ** 2;
}

/**
 * The teacher's guided v for a batch, each image at its own scale w ([B]). A
 * teacher that is itself guidance-distilled (a student being pruned) takes w directly.
 */
export function guidedTarget(teacher: Model, x: tf.Tensor4D, t: tf.Tensor1D, labels: tf.Tensor1D, w: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => {
    if (teacher.unet.guidanceFeatures) return denoise(teacher.params, teacher.unet, x, t, labels, teacher.schedule.timesteps, { guidance: w });
    const batch = x.shape[0];
    const nullLabels = tf.fill([batch], teacher.unet.classes, 'int32') as tf.Tensor1D;
    const v = denoise(teacher.params, teacher.unet, tf.concat([x, x]), tf.concat([t, t]), tf.concat([labels, nullLabels]), teacher.schedule.timesteps);
    const [vCond, vUncond] = tf.split(v, 2);
    return tf.add(vUncond, tf.mul(tf.sub(vCond, vUncond), tf.reshape(w, [-1, 1, 1, 1]))) as tf.Tensor4D;
  });
}
