/**
 * One evaluation configuration: draw perClass digits of each class through
 * the Worker's own path (drawDigits: sampler → UNet → grey bytes, the pixels
 * a PNG would carry), then score them against the real-digit references.
 */
import { rowsPerImage, type SamplerName, type Model } from '../../src/model/sampler';
import { drawDigits } from '../../src/model/generate';
import type { Params, UNetConfig } from '../../src/model/unet';
import { accuracy, classify, FEATURE_DIM } from './classifier';
import { classSpread } from './diversity';
import { frechetDistance, gaussianOf } from './fid';
import type { References } from './references';
import { mean, median, percentile, wilsonInterval } from './stats';

export type Precision = 'int8' | 'fp32';

/** One sampling configuration of one weight set (grid.ts builds them per model). */
export interface GridConfig {
  precision: Precision;
  sampler: SamplerName;
  steps: number;
  guidance: number;
}

export interface EvalConfig extends GridConfig {
  /** The --models name of the weight set. */
  model: string;
}

export interface ConfigResult extends EvalConfig {
  networkCallsPerDigit: number;
  digits: number;
  /** Share of pixels exactly 0 (MNIST: ≈82%; a faint haze of 1-8/255 lowers it). */
  backgroundShare: number;
  /** Share of digits the classifier reads as the digit that was asked for. */
  accuracy: number;
  /** 95 % Wilson interval of the accuracy: at 1000 digits and 99 %, about ±0.6 points. */
  accuracyInterval: [number, number];
  perClassAccuracy: number[];
  /** Fréchet distance to the 10k test digits in classifier-feature space (compare with the floor). */
  fid: number;
  /** Within-class feature spread relative to real digits (1 = as varied as handwriting). */
  diversity: { ratio: number; perClass: number[] };
  /** Pixel distance to the nearest training digit, and how it compares with unseen real digits. */
  nearestTrain: { median: number; p1: number; min: number; medianRatioToReal: number; shareBelowRealP1: number };
  /** Generation wall time per digit in this (batched) run; `npm run bench` is the latency figure. */
  msPerDigit: number;
}

/**
 * Network rows one digit costs: classifier-free guidance runs a second row
 * unless the scale is 0 or 1; a guidance-distilled network (w as an input)
 * needs one row at any scale (rowsPerImage, sampler.ts).
 */
export function networkCallsPerDigit(unet: UNetConfig, steps: number, guidance: number): number {
  return steps * rowsPerImage(unet, guidance);
}

/** Share of grey bytes that are exactly 0: the clean background MNIST has and a hazy sample lacks. */
export function backgroundShare(pixels: Uint8Array): number {
  let zeros = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] === 0) zeros++;
  return zeros / pixels.length;
}

export interface GeneratedSet {
  /** count × 784 grey bytes, class-major: digit i has class floor(i / perClass) and seed `seed + i`. */
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  ms: number;
}

export async function generateSet(model: Model, cfg: GridConfig, perClass: number, seed: number, batch: number, onBatch: (done: number) => void): Promise<GeneratedSet> {
  const count = perClass * 10;
  const labels = Uint8Array.from({ length: count }, (_, i) => Math.floor(i / perClass));
  const pixels = new Uint8Array(count * 784);
  const started = performance.now();
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const images = await drawDigits(model, {
      digits: Array.from(labels.subarray(start, start + size)),
      seeds: Array.from({ length: size }, (_, i) => seed + start + i),
      steps: cfg.steps,
      guidance: cfg.guidance,
      sampler: cfg.sampler,
    });
    images.forEach((img, i) => pixels.set(img.pixels, (start + i) * 784));
    onBatch(start + size);
  }
  return { pixels, labels, count, ms: performance.now() - started };
}

export async function scoreSet(cfg: EvalConfig, unet: UNetConfig, set: GeneratedSet, classifier: Params, refs: References): Promise<ConfigResult> {
  const readout = await classify(classifier, set.pixels, set.count);
  const perClassAccuracy = Array.from({ length: 10 }, (_, c) => {
    const idx = [...set.labels.keys()].filter((i) => set.labels[i] === c);
    return accuracy(idx.map((i) => readout.predicted[i]), idx.map(() => c)).accuracy;
  });
  const overall = accuracy(readout.predicted, set.labels);
  const spread = classSpread(readout.features, FEATURE_DIM, set.labels);
  const ratios = spread.map((s, c) => s / refs.realSpread[c]);
  const { distance } = await refs.trainIndex.nearest(set.pixels, set.count);
  const belowRealP1 = distance.filter((d) => d < refs.realNearest.p1).length / set.count;
  return {
    ...cfg,
    networkCallsPerDigit: networkCallsPerDigit(unet, cfg.steps, cfg.guidance),
    digits: set.count,
    backgroundShare: backgroundShare(set.pixels),
    accuracy: overall.accuracy,
    accuracyInterval: wilsonInterval(overall.correct, set.count),
    perClassAccuracy,
    fid: frechetDistance(gaussianOf(readout.features, set.count, FEATURE_DIM), refs.testGaussian),
    diversity: { ratio: mean(ratios), perClass: ratios },
    nearestTrain: {
      median: median(distance),
      p1: percentile(distance, 1),
      min: Math.min(...distance),
      medianRatioToReal: median(distance) / refs.realNearest.median,
      shareBelowRealP1: belowRealP1,
    },
    msPerDigit: set.ms / set.count,
  };
}
