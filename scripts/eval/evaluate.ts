/**
 * One evaluation configuration: draw perClass digits of each class through
 * the sampler the Worker runs, keeping both the network's raw output and the
 * served bytes (the raw output with its haze cleared, src/image/haze.ts,
 * exactly what drawDigits returns: tested), then score them against the references.
 */
import { tensorToGrey } from '../../src/image/grey';
import { rowsPerImage, sample, type Model, type SampleOptions, type SamplerName } from '../../src/model/sampler';
import type { UNetConfig } from '../../src/model/unet';
import { accuracy } from './classifier';
import { greyCensus, type GreyCensus } from './census';
import { classSpread } from './diversity';
import type { RealReference } from './real-reference';
import type { References } from './references';
import { scoreSpaces, type SpaceScore } from './space-scores';
import { readDigits, type Instruments, type Reading } from './spaces';
import { mean, median, percentile, wilsonInterval } from './stats';

export type Precision = 'int8' | 'fp32';

/** One sampling configuration of one weight set (grid.ts builds them per model). */
export interface GridConfig extends SamplerSettings {
  precision: Precision;
  sampler: SamplerName;
}

/**
 * How one row samples: everything of the sampler's options but the batch
 * itself (labels, seeds) and the editing modes. A new sampler option (a
 * guidance interval, say) reaches every sweep through this type.
 */
export type SamplerSettings = Omit<SampleOptions, 'labels' | 'seeds' | 'onStep' | 'start' | 'inpaint' | 'styles'>;

/** Only the sampler's own fields of a row's settings (a GridConfig also carries precision and model). */
export function samplerSettings<T extends SamplerSettings>({ steps, guidance, sampler, guidanceInterval }: T): SamplerSettings {
  return { steps, guidance, sampler, ...(guidanceInterval ? { guidanceInterval } : {}) };
}

export interface EvalConfig extends GridConfig {
  /** The --models name of the weight set. */
  model: string;
}

/** Share of asked-for classes read back, with its 95 % Wilson interval (at 1000 digits and 99 %, about ±0.6 points). */
export interface AccuracyReading {
  accuracy: number;
  interval: [number, number];
}

export function accuracyReading(predicted: ArrayLike<number>, labels: ArrayLike<number>): AccuracyReading {
  const { correct, accuracy: share } = accuracy(predicted, labels);
  return { accuracy: share, interval: wilsonInterval(correct, labels.length) };
}

/** What every scored set reports, in every space, with both classifiers. */
export interface SetScores {
  digits: number;
  /** Read by the selection classifier (chooses settings) and by the reporting one. */
  accuracy: { selection: AccuracyReading; reporting: AccuracyReading };
  /** FID (with interval and ratio to the floor), KID, precision/recall, density/coverage, per space. */
  spaces: SpaceScore[];
  /** Grey census of the network's raw output and of the served bytes. */
  census: { raw: GreyCensus; served: GreyCensus };
}

export interface ConfigResult extends EvalConfig {
  networkCallsPerDigit: number;
  digits: number;
  /** Share of served pixels exactly 0 (MNIST: ≈81%; a faint haze lowers it). */
  backgroundShare: number;
  /** Share of digits the selection classifier reads as the digit that was asked for (= scores.accuracy.selection). */
  accuracy: number;
  accuracyInterval: [number, number];
  perClassAccuracy: number[];
  /** FID in the selection classifier's space against test half A (= scores.spaces' selection row). */
  fid: number;
  /** Every space, both classifiers, the census. */
  scores: SetScores;
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
  /** count × 784 served grey bytes, class-major: digit i has class floor(i / perClass) and seed `seed + i`. */
  pixels: Uint8Array;
  /** The same digits before the haze is cleared (src/image/haze.ts): the network's own output, as grey bytes. */
  raw: Uint8Array;
  labels: Uint8Array;
  count: number;
  ms: number;
}

/** Raw and served grey bytes of one batch, from one sampler run: served is the raw output with its haze cleared, as every route serves it. */
export async function drawRawAndServed(model: Model, labels: number[], seeds: number[], settings: SamplerSettings): Promise<{ raw: Uint8Array[]; served: Uint8Array[] }> {
  const images = sample(model, { ...settings, labels, seeds });
  try {
    const [r, s] = await Promise.all([tensorToGrey(images, { raw: true }), tensorToGrey(images)]);
    return { raw: r.map((g) => g.pixels), served: s.map((g) => g.pixels) };
  } finally {
    images.dispose();
  }
}

export async function generateSet(model: Model, settings: SamplerSettings, perClass: number, seed: number, batch: number, onBatch: (done: number) => void): Promise<GeneratedSet> {
  const count = perClass * 10;
  const labels = Uint8Array.from({ length: count }, (_, i) => Math.floor(i / perClass));
  const pixels = new Uint8Array(count * 784);
  const raw = new Uint8Array(count * 784);
  const started = performance.now();
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const drawn = await drawRawAndServed(model, Array.from(labels.subarray(start, start + size)), Array.from({ length: size }, (_, i) => seed + start + i), settings);
    drawn.served.forEach((p, i) => pixels.set(p, (start + i) * 784));
    drawn.raw.forEach((p, i) => raw.set(p, (start + i) * 784));
    onBatch(start + size);
  }
  return { pixels, raw, labels, count, ms: performance.now() - started };
}

/** Both classifiers' accuracy, every space's distances to the real reference, and the census of a generated set. */
export async function scoreInstruments(set: GeneratedSet, instruments: Instruments, real: RealReference, perClass: number): Promise<{ scores: SetScores; reading: Reading }> {
  const reading = await readDigits(instruments, set.pixels, set.count);
  const scores: SetScores = {
    digits: set.count,
    accuracy: { selection: accuracyReading(reading.predicted.selection, set.labels), reporting: accuracyReading(reading.predicted.reporting, set.labels) },
    spaces: scoreSpaces(reading, real, real.sized(perClass)),
    census: { raw: greyCensus(set.raw, set.count), served: greyCensus(set.pixels, set.count) },
  };
  return { scores, reading };
}

export async function scoreSet(cfg: EvalConfig, unet: UNetConfig, set: GeneratedSet, instruments: Instruments, refs: References, perClass: number): Promise<ConfigResult> {
  const { scores, reading } = await scoreInstruments(set, instruments, refs.real, perClass);
  const predicted = reading.predicted.selection;
  const perClassAccuracy = Array.from({ length: 10 }, (_, c) => {
    const idx = [...set.labels.keys()].filter((i) => set.labels[i] === c);
    return accuracy(idx.map((i) => predicted[i]), idx.map(() => c)).accuracy;
  });
  const spread = classSpread(reading.features.selection, reading.dims.selection, set.labels);
  const ratios = spread.map((s, c) => s / refs.realSpread[c]);
  const { distance } = await refs.trainIndex.nearest(set.pixels, set.count);
  const belowRealP1 = distance.filter((d) => d < refs.realNearest.p1).length / set.count;
  return {
    ...cfg,
    networkCallsPerDigit: networkCallsPerDigit(unet, cfg.steps, cfg.guidance),
    digits: set.count,
    backgroundShare: backgroundShare(set.pixels),
    accuracy: scores.accuracy.selection.accuracy,
    accuracyInterval: scores.accuracy.selection.interval,
    perClassAccuracy,
    fid: scores.spaces.find((x) => x.space === 'selection')!.fid,
    scores,
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
