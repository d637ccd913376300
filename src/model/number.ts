/**
 * A number written in one hand: every digit drawn with the same style (slant,
 * thickness) and its own noise, then laid out side by side
 * (src/image/compose.ts). The Worker (GET /number, POST /imitate) and the
 * browser client (drawNumber) both draw through here, so they give the same pixels.
 */
import { composeNumber, type Spacing } from '../image/compose';
import type { GreyImage } from '../image/grey';
import type { Style } from '../image/style';
import { Rng } from './rng';
import type { Model, SamplerName } from './sampler';
import { drawSheet } from './sheet';
import { drawStyle, type StyleStats } from './style-prior';

export interface NumberPlan {
  /** The hand: the one given, else drawn from the training digits' joint distribution. */
  style: Style;
  /** Each digit's noise seed, by position. */
  seeds: number[];
}

/**
 * Everything random about a number, from its seed alone: one stream gives the
 * hand (its first two normals, drawn even when a style is given, so giving the
 * drawn style back draws the same number) and then one noise seed per digit.
 * A digit's seed depends on its position only, not on the number's length.
 */
export function planNumber(seed: number, count: number, stats: StyleStats, given: Style | null): NumberPlan {
  const rng = new Rng(seed);
  const drawn = drawStyle(stats, rng);
  return { style: given ?? drawn, seeds: Array.from({ length: count }, () => rng.nextUint32()) };
}

export interface NumberRequest {
  digits: number[];
  plan: NumberPlan;
  steps: number;
  guidance: number;
  sampler: SamplerName;
  spacing: Spacing;
}

/** The number at the model's scale: 28 px high, each digit a 28 px cell or packed by its ink. */
export async function drawNumber(model: Model, req: NumberRequest): Promise<GreyImage> {
  const { digits, plan, steps, guidance, sampler } = req;
  const images = await drawSheet(model, { digits, seeds: plan.seeds, steps, guidance, sampler, styles: digits.map(() => plan.style) });
  return composeNumber(images, req.spacing);
}
