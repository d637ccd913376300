/**
 * The style issue's three measures, each drawn with the sampler the Worker
 * runs and read back with the function that conditioned it (src/image/style.ts):
 *  - control: asked for the slant and thickness of held-out test digits, of
 *    their own class, how closely does the drawing follow (Pearson r)?
 *  - imitation: the same styles, drawn as another class (the use of
 *    POST /imitate); beside it SDEdit restyle, which keeps a picture's look only
 *    by keeping the picture.
 *  - one hand: numbers whose digits share one style; the spread of each
 *    descriptor within a number against the spread between numbers.
 * With no style given, the same draws are the baseline: the style is then the
 * noise's to choose, so r ≈ 0 and the two spreads are alike.
 */
import { measureStyle, type Style } from '../../../src/image/style';
import { restyleImage } from '../../../src/model/edit';
import { drawDigits } from '../../../src/model/generate';
import type { Model, SamplerName } from '../../../src/model/sampler';
import type { Digits } from '../../train/mnist';
import { classify } from '../classifier';
import { restyleTargets } from '../restyle';
import type { Instruments } from '../spaces';
import { mean, pearson } from '../stats';

export interface StyleSettings {
  steps: number;
  guidance: number;
  sampler: SamplerName;
}

/** Per descriptor. */
export interface PerDescriptor {
  slant: number;
  thickness: number;
}

/** Share of digits each classifier reads as the class asked for. */
export interface ReadAs {
  selection: number;
  reporting: number;
}

export interface FollowResult {
  digits: number;
  /** r between the style asked and the style drawn. */
  r: PerDescriptor;
  /** The same digits and seeds with no style given. */
  noStyle: PerDescriptor;
  readAs: ReadAs;
}

export interface RestyleStyle {
  strength: number;
  digits: number;
  /** r between the source's style and the restyled picture's. */
  r: PerDescriptor;
  readAs: ReadAs;
}

export interface OneHandResult {
  numbers: number;
  digitsPerNumber: number;
  /** Root mean square of each number's standard deviation across its digits. */
  within: PerDescriptor;
  /** Standard deviation of the numbers' means. */
  between: PerDescriptor;
  /** within ÷ between, with a style per number and with none. */
  ratio: PerDescriptor;
  noStyleRatio: PerDescriptor;
}

const styleOf = (data: Digits, i: number): Style => measureStyle(data.images.subarray(i * 784, (i + 1) * 784));

async function draw(model: Model, s: StyleSettings, digits: number[], seeds: number[], styles: (Style | null)[], batch = 50): Promise<Uint8Array> {
  const out = new Uint8Array(digits.length * 784);
  for (let i = 0; i < digits.length; i += batch) {
    const images = await drawDigits(model, { ...s, digits: digits.slice(i, i + batch), seeds: seeds.slice(i, i + batch), styles: styles.slice(i, i + batch) });
    images.forEach((im, j) => out.set(im.pixels, (i + j) * 784));
  }
  return out;
}

const stylesOf = (pixels: Uint8Array): Style[] => Array.from({ length: pixels.length / 784 }, (_, i) => measureStyle(pixels.subarray(i * 784, (i + 1) * 784)));

function correlations(wanted: Style[], got: Style[]): PerDescriptor {
  return {
    slant: pearson(wanted.map((s) => s.slant), got.map((s) => s.slant)),
    thickness: pearson(wanted.map((s) => s.thickness), got.map((s) => s.thickness)),
  };
}

async function readAs(instruments: Instruments, pixels: Uint8Array, wanted: ArrayLike<number>): Promise<ReadAs> {
  const share = async (which: keyof Instruments) => {
    const { predicted } = await classify(instruments[which], pixels, wanted.length);
    return predicted.filter((p, i) => p === wanted[i]).length / wanted.length;
  };
  return { selection: await share('selection'), reporting: await share('reporting') };
}

/**
 * Each source's style asked for, drawn as `classes[i]`: its own class for control,
 * another for imitation. Seeds seed…seed+n−1, the same with and without the style.
 */
export async function follow(model: Model, s: StyleSettings, sources: Digits, classes: ArrayLike<number>, seed: number, instruments: Instruments): Promise<FollowResult> {
  const wanted = Array.from({ length: sources.count }, (_, i) => styleOf(sources, i));
  const digits = Array.from(classes);
  const seeds = digits.map((_, i) => seed + i);
  const styled = await draw(model, s, digits, seeds, wanted);
  const plain = await draw(model, s, digits, seeds, wanted.map(() => null));
  return { digits: digits.length, r: correlations(wanted, stylesOf(styled)), noStyle: correlations(wanted, stylesOf(plain)), readAs: await readAs(instruments, styled, digits) };
}

/** SDEdit restyle (POST /restyle's path) of the same sources toward the same classes, for comparison with imitation. */
export async function restyleKeeps(model: Model, s: StyleSettings, sources: Digits, strengths: number[], seed: number, instruments: Instruments): Promise<RestyleStyle[]> {
  const targets = restyleTargets(sources.labels);
  const wanted = Array.from({ length: sources.count }, (_, i) => styleOf(sources, i));
  const results: RestyleStyle[] = [];
  for (const strength of strengths) {
    const out = new Uint8Array(sources.count * 784);
    for (let i = 0; i < sources.count; i++) {
      const image = { width: 28, height: 28, pixels: sources.images.subarray(i * 784, (i + 1) * 784) };
      out.set((await restyleImage(model, { ...s, digit: targets[i], seed: seed + i, strength, image })).pixels, i * 784);
    }
    results.push({ strength, digits: sources.count, r: correlations(wanted, stylesOf(out)), readAs: await readAs(instruments, out, targets) });
  }
  return results;
}

/**
 * `numbers` numbers of `length` digits, number k in the style of source k (a
 * held-out test digit: a draw from the data's joint distribution of slant and
 * thickness), each digit with its own seed.
 */
export async function oneHand(model: Model, s: StyleSettings, sources: Digits, length: number, seed: number): Promise<OneHandResult> {
  const numbers = sources.count;
  const digits = Array.from({ length: numbers * length }, (_, i) => (sources.labels[Math.floor(i / length)] + 3 * (i % length) + 1) % 10);
  const seeds = digits.map((_, i) => seed + i);
  const hands = Array.from({ length: numbers }, (_, k) => styleOf(sources, k));
  const spreads = async (styles: (Style | null)[]) => {
    const got = stylesOf(await draw(model, s, digits, seeds, styles));
    const per = (key: keyof Style) => {
      const groups = Array.from({ length: numbers }, (_, k) => got.slice(k * length, (k + 1) * length).map((st) => st[key]));
      const within = Math.sqrt(mean(groups.map((g) => variance(g))));
      const between = Math.sqrt(variance(groups.map((g) => mean(g))));
      return { within, between };
    };
    return { slant: per('slant'), thickness: per('thickness') };
  };
  const styled = await spreads(digits.map((_, i) => hands[Math.floor(i / length)]));
  const plain = await spreads(digits.map(() => null));
  const ratio = (x: typeof styled) => ({ slant: x.slant.within / x.slant.between, thickness: x.thickness.within / x.thickness.between });
  return {
    numbers,
    digitsPerNumber: length,
    within: { slant: styled.slant.within, thickness: styled.thickness.within },
    between: { slant: styled.slant.between, thickness: styled.thickness.between },
    ratio: ratio(styled),
    noStyleRatio: ratio(plain),
  };
}

/** Sample variance (n − 1). */
function variance(values: number[]): number {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}
