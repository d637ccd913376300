/** src/model/weight-sets.ts: which set draws a request of n steps, and the orders it refuses. */
import { describe, expect, it } from 'vitest';
import { checkWeightSets, stepRanges, weightSetFor } from '../src/model/weight-sets';
import { WeightsError } from '../src/model/weights';

const set = (name: string, maxSteps?: number, more: { defaultSteps?: number; styledDefault?: true } = {}) => ({
  manifest: { name, version: `${name}-v`, sampling: { defaultSteps: 1, defaultGuidance: 2, defaultSampler: 'ddim' as const, maxSteps, ...more } },
});
const few = set('few', 2);
const mid = set('mid', 5);
const general = set('general');
/** A set that takes the styled requests naming no steps, at its own default of 6 (sampling.styledDefault). */
const styledGeneral = set('general', undefined, { defaultSteps: 6, styledDefault: true });

describe('weightSetFor', () => {
  it('gives a request the first set whose maxSteps admits it, and the default request the first set', () => {
    const sets = [few, mid, general];
    expect([undefined, 1, 2, 3, 5, 6, 100].map((steps) => weightSetFor(sets, steps).manifest.name)).toEqual(['few', 'few', 'few', 'mid', 'mid', 'general', 'general']);
    expect(weightSetFor([general], undefined)).toBe(general);
    expect(weightSetFor([general], 7)).toBe(general);
  });

  it('gives a request in a hand that names no steps the set that takes the styled default, and every other request the set it had', () => {
    const sets = [few, mid, styledGeneral];
    expect(weightSetFor(sets, undefined, true)).toBe(styledGeneral);
    expect(weightSetFor(sets, undefined, false)).toBe(few);
    // Steps named: the hand changes nothing.
    expect([1, 3, 6].map((steps) => weightSetFor(sets, steps, true).manifest.name)).toEqual(['few', 'mid', 'general']);
    // No set takes it: the first set, as before.
    expect(weightSetFor([few, mid, general], undefined, true)).toBe(few);
  });

  it('refuses a count no set draws (only unchecked sets leave one)', () => {
    expect(() => weightSetFor([few, mid], 6)).toThrow(/no weight set draws 6 steps/);
  });
});

describe('stepRanges', () => {
  it('splits 1..100, the API limit, between the sets', () => {
    expect(stepRanges([few, mid, general].map((s) => s.manifest))).toEqual([[1, 2], [3, 5], [6, 100]]);
  });
});

describe('checkWeightSets', () => {
  it('accepts sets in order of their limits, the last without one', () => {
    expect(() => checkWeightSets([few, mid, general])).not.toThrow();
    expect(() => checkWeightSets([general])).not.toThrow();
    expect(() => checkWeightSets([few, mid, styledGeneral])).not.toThrow();
  });

  it.each([
    ['a limit on the last set', [few, mid], /the last weight set, mid, must take any step count/],
    ['a set without a limit before others', [general, few], /general takes any step count, so the sets after it would never serve/],
    ['limits out of order', [mid, few, general], /few's maxSteps 2 must exceed the previous set's 5/],
    ['a nameless set', [set('', 2), general], /weight set 0 \(-v\) has no name/],
    ['two sets of one name', [few, set('few')], /weight sets 0 and 1 share a name or a version \(few, few-v\)/],
    ['a limit that leaves the next set nothing', [set('few', 100), general], /few's maxSteps 100 leaves the sets after it no step count below the API's 100/],
    ['no sets', [], /no weight sets/],
    ['two sets taking the styled default', [set('few', 2, { styledDefault: true }), styledGeneral], /few and general both take the styled default/],
    ['a styled default at a count another set serves', [few, set('general', undefined, { defaultSteps: 2, styledDefault: true })], /general takes the styled default at 2 steps, a count another set serves/],
  ])('refuses %s', (_, sets, message) => {
    expect(() => checkWeightSets(sets)).toThrow(WeightsError);
    expect(() => checkWeightSets(sets)).toThrow(message);
  });
});
