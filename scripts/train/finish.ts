/**
 * End of a run: the EMA weights go through int8 export, with provenance and
 * the measured cost of quantization (denoiser output, fp32 vs int8, on a fixed batch).
 */
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { Rng } from '../../src/model/rng';
import { denoise, flopsPerImage, parameterCount, type Params } from '../../src/model/unet';
import { dequantize, type Manifest } from '../../src/model/weights';
import { exportWeights, quantizePerChannel } from './export';
import type { RunFacts } from './run';
import { styleRanges, type Trainer } from './trainer';

export interface ExportOptions {
  /** The script that made the weights, for their provenance. */
  script: string;
  /** Further provenance (a distillation's teacher, its pruning). */
  provenance?: Record<string, unknown>;
}

export async function exportTrained(trainer: Trainer, facts: RunFacts, opts: ExportOptions): Promise<Manifest> {
  const snap = await trainer.snapshot();
  const fp32 = snap.groups.ema;
  const int8: Params = {};
  const fp32Params: Params = {};
  for (const spec of trainer.specs) {
    const channels = spec.shape[spec.shape.length - 1];
    const q = quantizePerChannel(fp32[spec.name], channels);
    int8[spec.name] = tf.tensor(dequantize(q.values, q.scales), spec.shape);
    fp32Params[spec.name] = tf.tensor(fp32[spec.name], spec.shape);
  }
  const quantizationError = await outputDifference(trainer, fp32Params, int8);
  tf.dispose([...Object.values(int8), ...Object.values(fp32Params)]);

  return exportWeights(facts.out, fp32, {
    architecture: trainer.unet,
    schedule: trainer.schedule.config,
    sampling: { defaultSteps: 10, defaultGuidance: 2, defaultSampler: 'dpmpp' },
    provenance: {
      date: new Date().toISOString(),
      gitCommit: facts.gitCommit,
      script: opts.script,
      backend: facts.backend.name,
      adapter: facts.backend.device,
      host: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
      recipe: facts.args.recipe,
      trainImages: trainer.stepsPerEpoch * facts.args.recipe.batchSize,
      epochs: trainer.step / trainer.stepsPerEpoch,
      steps: trainer.step,
      wallSeconds: Math.round(facts.wallSeconds),
      finalLoss: facts.finalLoss,
      parameters: parameterCount(trainer.unet),
      mflopsPerImage: +(flopsPerImage(trainer.unet) / 1e6).toFixed(2),
      // The ranges a style request may ask for: the data's, which a student shares with its teacher.
      ...(trainer.styles ? { styleOfTrainingData: styleRanges(trainer.styles) } : {}),
      ...opts.provenance,
    },
    metrics: { quantization: quantizationError },
  });
}

/** RMS and max |v_fp32 − v_int8| on 32 fixed noisy inputs across timesteps and classes, and RMS of v itself for scale. */
async function outputDifference(trainer: Trainer, fp32: Params, int8: Params) {
  const rng = new Rng(2024);
  const n = 32;
  const x = tf.tensor4d(rng.normals(n * 784), [n, 28, 28, 1]);
  const t = tf.tensor1d(Array.from({ length: n }, (_, i) => Math.floor((i * trainer.schedule.timesteps) / n)));
  const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % (trainer.unet.classes + 1)), 'int32');
  // Guidance scales 0..4 (used by guidance-distilled students only).
  const guidance = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 5));
  // Step sizes 0 (small steps), 250, 500 and 1000 (used by step-distilled students only).
  const stepSize = tf.tensor1d(Array.from({ length: n }, (_, i) => [0, 250, 500, 1000][i % 4]));
  const stats = tf.tidy(() => {
    const a = denoise(fp32, trainer.unet, x, t, labels, trainer.schedule.timesteps, { guidance, stepSize });
    const b = denoise(int8, trainer.unet, x, t, labels, trainer.schedule.timesteps, { guidance, stepSize });
    const d = tf.sub(a, b);
    return tf.stack([tf.sqrt(tf.mean(tf.square(d))), tf.max(tf.abs(d)), tf.sqrt(tf.mean(tf.square(a)))]);
  });
  // await data(), not dataSync(): WebGPU in Node has no synchronous read-back.
  const [rmsDiff, maxDiff, rmsOut] = await stats.data();
  tf.dispose([x, t, labels, guidance, stepSize, stats]);
  return { scheme: 'int8 symmetric, one scale per output channel', batch: n, rmsDiff, maxDiff, rmsOutput: rmsOut, relativeRms: rmsDiff / rmsOut };
}
