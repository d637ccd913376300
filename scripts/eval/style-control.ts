/**
 * Style control, measured: a style network is asked for the slant and thickness
 * of held-out MNIST test digits, and the styles of what it draws are measured with
 * the same function (src/image/style.ts). Pearson r between asked and measured,
 * per descriptor; the same digits drawn with no style given are the baseline
 * (r near 0: without the input, the style is the noise's to choose).
 */
import { measureStyle, type Style } from '../../src/image/style';
import { drawDigits } from '../../src/model/generate';
import type { Model, SamplerName } from '../../src/model/sampler';
import type { Digits } from '../train/mnist';

export interface StyleControlReport {
  digits: number;
  /** Test digits used: indices first … first + digits − 1. */
  first: number;
  asked: { slant: number; thickness: number };
  noStyle: { slant: number; thickness: number };
  /** Labels drawn with a style, for the caller's classifiers. */
  images: Uint8Array[];
  labels: number[];
}

export async function styleControl(
  model: Model,
  test: Digits,
  opts: { digits: number; first: number; steps: number; guidance: number; sampler: SamplerName; seed: number; batch?: number },
): Promise<StyleControlReport> {
  const indices = Array.from({ length: opts.digits }, (_, i) => opts.first + i);
  const labels = indices.map((i) => test.labels[i]);
  const wanted = indices.map((i) => measureStyle(test.images.subarray(i * 784, (i + 1) * 784)));
  const seeds = indices.map((_, i) => opts.seed + i);
  const draw = async (styles: (Style | null)[]) => {
    const out: Uint8Array[] = [];
    const batch = opts.batch ?? 50;
    for (let i = 0; i < labels.length; i += batch) {
      const images = await drawDigits(model, {
        digits: labels.slice(i, i + batch),
        seeds: seeds.slice(i, i + batch),
        steps: opts.steps,
        guidance: opts.guidance,
        sampler: opts.sampler,
        styles: styles.slice(i, i + batch),
      });
      out.push(...images.map((im) => im.pixels));
    }
    return out;
  };
  const styled = await draw(wanted);
  const plain = await draw(wanted.map(() => null));
  const correlations = (images: Uint8Array[]) => {
    const got = images.map((px) => measureStyle(px));
    return {
      slant: pearson(wanted.map((s) => s.slant), got.map((s) => s.slant)),
      thickness: pearson(wanted.map((s) => s.thickness), got.map((s) => s.thickness)),
    };
  };
  return { digits: opts.digits, first: opts.first, asked: correlations(styled), noStyle: correlations(plain), images: styled, labels };
}

export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}
