/**
 * Restyle class transfer: real MNIST test digits sent through the Worker's
 * POST /restyle path (restyleImage: SDEdit toward another class, at the
 * model's served sampling defaults, as the route fills them in), then read by
 * the selection classifier. "transfer" is the share read as the target
 * class; "kept" the share still read as the source class. Every model
 * restyles the same sources toward the same targets with the same seeds.
 */
import { restyleImage } from '../../src/model/edit';
import { classify, type Classifier } from './classifier';
import { networkCallsPerDigit } from './evaluate';
import type { NamedModel } from './models';
import type { Digits } from '../train/mnist';

export interface RestyleResult {
  model: string;
  strength: number;
  sampler: string;
  steps: number;
  guidance: number;
  networkCallsPerDigit: number;
  digits: number;
  /** Share the classifier reads as the class asked for. */
  transfer: number;
  /** Share still read as the source digit's class. */
  kept: number;
  msPerDigit: number;
}

/** A target for each source label, never the label itself; consecutive digits cycle through all nine offsets. */
export function restyleTargets(labels: ArrayLike<number>): Uint8Array {
  return Uint8Array.from({ length: labels.length }, (_, i) => (labels[i] + 1 + (i % 9)) % 10);
}

export async function measureRestyle(model: NamedModel, sources: Digits, strengths: number[], seed: number, classifier: Classifier): Promise<RestyleResult[]> {
  const targets = restyleTargets(sources.labels);
  const { defaultSampler: sampler, defaultSteps: steps, defaultGuidance: guidance } = model.manifest.sampling;
  const results: RestyleResult[] = [];
  for (const strength of strengths) {
    const out = new Uint8Array(sources.count * 784);
    const started = performance.now();
    for (let i = 0; i < sources.count; i++) {
      const image = { width: 28, height: 28, pixels: sources.images.subarray(i * 784, (i + 1) * 784) };
      const restyled = await restyleImage(model, { digit: targets[i], seed: seed + i, steps, guidance, sampler, strength, image });
      out.set(restyled.pixels, i * 784);
    }
    const ms = performance.now() - started;
    const { predicted } = await classify(classifier, out, sources.count);
    const share = (wanted: ArrayLike<number>) => predicted.filter((p, i) => p === wanted[i]).length / sources.count;
    results.push({
      model: model.name,
      strength,
      sampler,
      steps,
      guidance,
      // SDEdit drops repeated timesteps at low strength, so this is an upper bound (sdeditTimesteps).
      networkCallsPerDigit: networkCallsPerDigit(model.unet, steps, guidance),
      digits: sources.count,
      transfer: share(targets),
      kept: share(sources.labels),
      msPerDigit: ms / sources.count,
    });
  }
  return results;
}
