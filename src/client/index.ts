/**
 * The browser client, served as GET /client.js: draws digits in the page with
 * the Worker's own model code (src/model/), weight sets and tfjs WASM SIMD
 * kernels, picking the set by steps as the Worker does, so the same parameters
 * give the very pixels GET /digit/:d.png returns.
 *
 *   import { drawDigit, drawNumber } from 'https://<worker>/client.js';
 *   const { width, height, pixels } = await drawDigit({ digit: 5, seed: 42 });
 *   const number = await drawNumber({ digits: '2026', seed: 7 }); // GET /number/2026.png?seed=7
 */
import type * as tf from '@tensorflow/tfjs-core';
import { greyLevels, tensorToGrey, type GreyImage } from '../image/grey';
import { sample } from '../model/sampler';
import { asksForStyle } from '../model/style-prior';
import { getClientModel, type BackendName } from './model';
import { checkOptions, withManifestDefaults, type DrawOptions, type DrawParams } from './options';

export { drawNumber, type DrawNumberOptions, type DrawnNumber } from './number';
export type { BackendName } from './model';
export type { DrawOptions, DrawParams } from './options';
export type { SamplerName } from '../model/sampler';

export interface DrawDigitOptions extends DrawOptions {
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

/** A 28×28 grey digit (white on black, row-major, one byte per pixel), the parameters that drew it and the backend that ran. */
export interface DrawnDigit extends GreyImage, DrawParams {
  backend: BackendName;
}

// Start downloading, compiling and checking the default request's weight set as soon as the module is
// imported: the first drawDigit then waits only for what is left. The other sets wait for a draw that
// needs them. A failure here is not lost: drawDigit starts again and reports it.
getClientModel().catch(() => {});

export async function drawDigit(options: DrawDigitOptions): Promise<DrawnDigit> {
  checkOptions(options); // bad input fails before anything is downloaded
  const model = await getClientModel(options.steps, asksForStyle(options));
  // The defaults of the set that draws, as GET /digit takes them.
  const params = withManifestDefaults(options, model.manifest);
  const { digit, seed, steps, guidance, sampler, style } = params;

  const onStep = options.onStep;
  let stepStart = performance.now();
  const reportStep = (step: number, x0: tf.Tensor4D) => {
    const [, height, width] = x0.shape;
    // Inside the sampler's tf.tidy: the grey tensor is disposed with the step.
    const pixels = Uint8Array.from(greyLevels(x0).dataSync());
    onStep!({ step: step + 1, steps, width, height, pixels, ms: performance.now() - stepStart });
    stepStart = performance.now();
  };
  // No style: no style input at all, as GET /digit draws it.
  const images = sample(model, { labels: [digit], seeds: [seed], steps, guidance, sampler, ...(style ? { styles: [style] } : {}), onStep: onStep && reportStep });
  try {
    const [image] = await tensorToGrey(images);
    return { ...image, ...params, backend: model.backend };
  } finally {
    images.dispose();
  }
}
