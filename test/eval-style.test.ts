/**
 * The style measures (scripts/eval/style/measure.ts): their statistics on inputs with known
 * answers, and a small run on the style teacher, where asking for a style must beat asking
 * for none on every measure (seeded: the same digits every run).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../scripts/eval/args';
import { loadInstruments } from '../scripts/eval/instruments';
import { loadShippedModel, type LoadedWeights } from '../scripts/eval/models';
import { balancedSubset } from '../scripts/eval/references';
import { restyleTargets } from '../scripts/eval/restyle';
import { pearson } from '../scripts/eval/stats';
import { follow, oneHand } from '../scripts/eval/style/measure';
import { initBackend } from '../scripts/train/backend';
import { loadMnist, type Digits } from '../scripts/train/mnist';
import { Rng } from '../src/model/rng';

describe('pearson', () => {
  it('is 1 for a line, −1 for a falling one, 0 for a constant', () => {
    expect(pearson([1, 2, 3, 4], [3, 5, 7, 9])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [2, 2, 2])).toBe(0);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });
});

describe('--style flags', () => {
  it('parses steps per model, guidance scales and the number length, and refuses a malformed entry', () => {
    const args = parseEvalArgs(['--style', '--style-steps', 'general=4+10,few-step=2', '--number-length', '5']);
    expect(args.style).toEqual({ steps: { general: [4, 10], 'few-step': [2] }, guidance: [], numberLength: 5 });
    expect(parseEvalArgs(['--style', '--style-guidance', '2.25,3']).style!.guidance).toEqual([2.25, 3]);
    expect(() => parseEvalArgs(['--style', '--style-guidance', '2,x'])).toThrow(/style-guidance/);
    expect(parseEvalArgs([]).style).toBeNull();
    expect(() => parseEvalArgs(['--style', '--style-steps', 'general'])).toThrow(/is not name=steps/);
    expect(() => parseEvalArgs(['--style', '--style-steps', 'general=4+x'])).toThrow(/style-steps/);
  });
});

describe('on the style teacher, 30 held-out digits, 4 steps', () => {
  let model: LoadedWeights;
  let sources: Digits;
  const settings = { steps: 4, guidance: 2, sampler: 'dpmpp' as const };
  beforeAll(async () => {
    await initBackend('wasm');
    model = await loadShippedModel('weights/teacher-style');
    sources = balancedSubset(loadMnist('test'), 3, new Rng(7));
  });
  const instruments = () => loadInstruments(parseEvalArgs([])).instruments;

  it('follows an asked style far better than no style does, and draws the class asked', { timeout: 120_000 }, async () => {
    const control = await follow(model, settings, sources, sources.labels, 1, instruments());
    expect(control.digits).toBe(30);
    expect(control.r.slant).toBeGreaterThan(control.noStyle.slant + 0.3);
    expect(control.r.thickness).toBeGreaterThan(control.noStyle.thickness + 0.3);
    expect(control.readAs.selection).toBeGreaterThanOrEqual(0.9);
    const imitation = await follow(model, settings, sources, restyleTargets(sources.labels), 1, instruments());
    expect(imitation.r.slant).toBeGreaterThan(imitation.noStyle.slant + 0.3);
    expect(imitation.readAs.reporting).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the digits of one number closer in style than different numbers', { timeout: 120_000 }, async () => {
    const hand = await oneHand(model, settings, sources, 3, 1);
    expect(hand.numbers).toBe(30);
    expect(hand.ratio.slant).toBeLessThan(0.6);
    expect(hand.ratio.thickness).toBeLessThan(0.6);
    // Without a style, one number's digits are as unlike as any: within ≈ σ, between ≈ σ/√3.
    expect(hand.noStyleRatio.slant).toBeGreaterThan(1.2);
    expect(hand.noStyleRatio.thickness).toBeGreaterThan(1.2);
  });
});
