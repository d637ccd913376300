/**
 * Held-out diffusion loss: the training objective on test digits with fixed
 * noise and timesteps, so epochs and recipes can be compared (regularisation
 * and augmentation choices are made on this number, not on the training loss).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/model/rng';
import type { Model } from '../../src/model/sampler';
import { denoise } from '../../src/model/unet';
import { noiseImage, toModelRange } from '../../src/model/objective';
import type { Digits } from './mnist';

export async function heldOutLoss(model: Model, test: Digits, count: number, batchSize = 128): Promise<number> {
  const rng = new Rng(12345);
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const noisy = new Float32Array(size * 784);
    const target = new Float32Array(size * 784);
    const timesteps = new Float32Array(size);
    const labels = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const index = start + b;
      labels[b] = test.labels[index];
      timesteps[b] = rng.int(model.schedule.timesteps);
      noiseImage(model.schedule, toModelRange(test.images.subarray(index * 784, (index + 1) * 784)), timesteps[b], rng, noisy, target, b * 784);
    }
    const loss = tf.tidy(() => {
      const v = denoise(model.params, model.unet, tf.tensor4d(noisy, [size, 28, 28, 1]), tf.tensor1d(timesteps), tf.tensor1d(labels, 'int32'), model.schedule.timesteps);
      return tf.sum(tf.squaredDifference(v, tf.tensor4d(target, [size, 28, 28, 1])));
    });
    total += (await loss.data())[0];
    loss.dispose();
  }
  return total / (count * 784);
}
