/**
 * Held-out diffusion loss: the training objective on test digits with fixed
 * noise and timesteps, so epochs and recipes can be compared (regularisation
 * and augmentation choices are made on this number, not on the training loss).
 * For a distilled student the target is its teacher's guided v at a fixed
 * spread of guidance scales: the distillation loss on unseen digits (of the
 * small-step mode, for a step-distilled one).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/model/rng';
import type { Model } from '../../src/model/sampler';
import { guidedTarget, sampleGuidance } from './teacher';
import { denoise } from '../../src/model/unet';
import { noiseImage, toModelRange } from '../../src/model/objective';
import type { Digits } from './mnist';

export async function heldOutLoss(model: Model, test: Digits, count: number, teacher?: Model, batchSize = 128): Promise<number> {
  const rng = new Rng(12345);
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const noisy = new Float32Array(size * 784);
    const target = new Float32Array(size * 784);
    const timesteps = new Float32Array(size);
    const labels = new Int32Array(size);
    const guidance = new Float32Array(size);
    for (let b = 0; b < size; b++) {
      const index = start + b;
      labels[b] = test.labels[index];
      timesteps[b] = rng.int(model.schedule.timesteps);
      if (teacher) guidance[b] = sampleGuidance(rng);
      noiseImage(model.schedule, toModelRange(test.images.subarray(index * 784, (index + 1) * 784)), timesteps[b], rng, noisy, target, b * 784);
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(noisy, [size, 28, 28, 1]);
      const t = tf.tensor1d(timesteps);
      const y = tf.tensor1d(labels, 'int32');
      const w = tf.tensor1d(guidance);
      const v = denoise(model.params, model.unet, x, t, y, model.schedule.timesteps, { guidance: w, stepSize: tf.zerosLike(t) });
      return tf.sum(tf.squaredDifference(v, teacher ? guidedTarget(teacher, x, t, y, w) : tf.tensor4d(target, [size, 28, 28, 1])));
    });
    total += (await loss.data())[0];
    loss.dispose();
  }
  return total / (count * 784);
}
