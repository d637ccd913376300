/**
 * The sampler's clean estimate x̂₀ after every step: how a digit forms out of
 * noise, one frame per step (for a batch of B, B frames per step, step by step).
 * The last frame is the finished digit: both samplers' last step returns x̂₀.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tensorToGrey, type GreyImage } from '../image/grey';
import type { DrawRequest } from './generate';
import { sample, type Model } from './sampler';

export async function drawFrames(model: Model, req: DrawRequest): Promise<GreyImage[]> {
  const estimates: tf.Tensor4D[] = [];
  try {
    const onStep = (_: number, x0: tf.Tensor4D) => estimates.push(tf.keep(x0.clone()));
    sample(model, { labels: req.digits, seeds: req.seeds, steps: req.steps, guidance: req.guidance, sampler: req.sampler, onStep }).dispose();
    const frames = tf.concat(estimates);
    try {
      return await tensorToGrey(frames);
    } finally {
      frames.dispose();
    }
  } finally {
    tf.dispose(estimates);
  }
}
