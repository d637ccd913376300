/**
 * The browser client, served as GET /client.js: draws digits in the page with
 * the Worker's own model code (src/model/), weights and tfjs WASM SIMD kernels,
 * so the same parameters give the very pixels GET /digit/:d.png returns.
 *
 *   import { drawDigit } from 'https://<worker>/client.js';
 *   const { width, height, pixels } = await drawDigit({ digit: 5, seed: 42 });
 */
import type * as tf from '@tensorflow/tfjs-core';
import { greyLevels, tensorToGrey, type GreyImage } from '../image/png';
import { sample, type SamplerName } from '../model/sampler';
import { parseDigit, parseGenerationQuery, required, withDefaults } from '../params';
import { getClientModel, type BackendName } from './model';

export type { BackendName } from './model';
export type { SamplerName } from '../model/sampler';

export interface DrawDigitOptions {
  /** 0-9. */
  digit: number;
  /** 0-4294967295: the same seed (and parameters) draws the same digit everywhere. */
  seed: number;
  /** 1-100; default from the weights manifest, as for GET /digit. */
  steps?: number;
  /** 0-10; default from the manifest. */
  guidance?: number;
  /** `ddim` or `dpmpp`; default from the manifest. */
  sampler?: SamplerName;
  /** Called after every step with that step's clean estimate x̂₀, synchronously, before the next step starts. */
  onStep?: (frame: StepFrame) => void;
}

/** One step's clean estimate x̂₀ as grey pixels (the last step's is the finished digit). */
export interface StepFrame extends GreyImage {
  /** 1-based. */
  step: number;
  steps: number;
  /** Time this step took (network, scheduler and this conversion), in milliseconds. */
  ms: number;
}

/** A 28×28 grey digit (white on black, row-major, one byte per pixel), and what drew it. */
export interface DrawnDigit extends GreyImage {
  backend: BackendName;
  digit: number;
  seed: number;
  steps: number;
  guidance: number;
  sampler: SamplerName;
}

export async function drawDigit(options: DrawDigitOptions): Promise<DrawnDigit> {
  // The Worker's own query validation, so limits and messages match GET /digit's; bad input fails before any download.
  const digit = parseDigit(String(options.digit));
  const given = Object.entries({ seed: options.seed, steps: options.steps, guidance: options.guidance, sampler: options.sampler }).filter(([, v]) => v !== undefined);
  const query = parseGenerationQuery(new URLSearchParams(given.map(([k, v]) => [k, String(v)])));
  const seed = required(query.seed, 'seed', 'an integer 0-4294967295 (the same seed draws the same digit)');
  const model = await getClientModel();
  const { steps, guidance, sampler } = withDefaults(query, model.manifest.sampling);

  const onStep = options.onStep;
  let stepStart = performance.now();
  const reportStep = (step: number, x0: tf.Tensor4D) => {
    const [, height, width] = x0.shape;
    // Inside the sampler's tf.tidy: the grey tensor is disposed with the step.
    const pixels = Uint8Array.from(greyLevels(x0).dataSync());
    onStep!({ step: step + 1, steps, width, height, pixels, ms: performance.now() - stepStart });
    stepStart = performance.now();
  };
  const images = sample(model, { labels: [digit], seeds: [seed], steps, guidance, sampler, onStep: onStep && reportStep });
  try {
    const [image] = await tensorToGrey(images);
    return { ...image, backend: model.backend, digit, seed, steps, guidance, sampler };
  } finally {
    images.dispose();
  }
}
