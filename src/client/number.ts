/**
 * drawNumber: a number in one hand, in the page, with the very pixels
 * GET /number/:digits.png returns at size 28 (src/model/number.ts draws both).
 */
import { SPACINGS, type Spacing } from '../image/compose';
import type { GreyImage } from '../image/grey';
import type { Style } from '../image/style';
import { drawNumber as drawNumberWith, planNumber } from '../model/number';
import type { SamplerName } from '../model/sampler';
import { styleStatsOf } from '../model/style-prior';
import { LIMITS } from '../limits';
import { getClientModel, type BackendName } from './model';
import { checkSampling, refusal, withManifestDefaults, type DrawOptions } from './options';

export interface DrawNumberOptions extends Omit<DrawOptions, 'digit'> {
  /** 1 to 16 digits, e.g. '2026'. */
  digits: string;
  /** `cells` (default): a 28 px cell per digit; `natural`: packed by their ink. */
  spacing?: Spacing;
}

/** The number, 28 px high, white ink on black; the hand it is written in (`style`: given, or drawn from the seed) and what drew it. */
export interface DrawnNumber extends GreyImage {
  digits: string;
  seed: number;
  steps: number;
  guidance: number;
  sampler: SamplerName;
  spacing: Spacing;
  style: Style;
  backend: BackendName;
}

export async function drawNumber(options: DrawNumberOptions): Promise<DrawnNumber> {
  const fn = 'drawNumber';
  if (typeof options.digits !== 'string' || !new RegExp(`^[0-9]{1,${LIMITS.maxNumberDigits}}$`).test(options.digits)) {
    throw refusal(fn, 'digits', `a string of 1 to ${LIMITS.maxNumberDigits} digits 0-9`, options.digits);
  }
  if (options.spacing !== undefined && !SPACINGS.includes(options.spacing)) throw refusal(fn, 'spacing', `one of ${SPACINGS.join(', ')}`, options.spacing);
  checkSampling(options, fn);
  // Every number is written in a hand, given or drawn.
  const model = await getClientModel(options.steps, true);
  const stats = styleStatsOf(model.manifest);
  if (!stats) throw new RangeError(`${fn}: a number in one hand needs a weight set with style inputs, and ${model.manifest.name} has none`);
  const { seed, steps, guidance, sampler, style } = withManifestDefaults({ ...options, digit: 0 }, model.manifest);
  const digits = [...options.digits].map(Number);
  const spacing = options.spacing ?? 'cells';
  const plan = planNumber(seed, digits.length, stats, style);
  const image = await drawNumberWith(model, { digits, plan, steps, guidance, sampler, spacing });
  return { ...image, digits: options.digits, seed, steps, guidance, sampler, spacing, style: plan.style, backend: model.backend };
}
