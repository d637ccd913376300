/** src/model/weight-sets.ts: which set draws a request of n steps, and the orders it refuses. */
import { describe, expect, it } from 'vitest';
import { checkWeightSets, guidanceBySteps, stepRanges, weightSetFor } from '../src/model/weight-sets';
import { WeightsError } from '../src/model/weights';

const set = (name: string, maxSteps?: number, more: { defaultSteps?: number; hand?: true } = {}) => ({
  manifest: { name, version: `${name}-v`, sampling: { defaultSteps: 1, defaultGuidance: 2, defaultSampler: 'ddim' as const, maxSteps, ...more } },
});
const few = set('few', 2);
const mid = set('mid', 5);
const general = set('general');
/** A set that draws every request in a hand, at its own default of 6 steps (sampling.hand). */
const hand = set('hand', undefined, { defaultSteps: 6, hand: true });

describe('weightSetFor', () => {
  it('gives a request the first set whose maxSteps admits it, and the default request the first set', () => {
    const sets = [few, mid, general];
    expect([undefined, 1, 2, 3, 5, 6, 100].map((steps) => weightSetFor(sets, steps).manifest.name)).toEqual(['few', 'few', 'few', 'mid', 'mid', 'general', 'general']);
    expect(weightSetFor([general], undefined)).toBe(general);
    expect(weightSetFor([general], 7)).toBe(general);
  });

  it('gives every request in a hand the hand set, whatever its steps, and no plain request', () => {
    // Served in any position: the plain sets keep their order among themselves.
    for (const sets of [[few, mid, general, hand], [hand, few, mid, general]]) {
      expect([undefined, 1, 3, 6, 100].map((steps) => weightSetFor(sets, steps, true))).toEqual([hand, hand, hand, hand, hand]);
      expect([undefined, 1, 2, 3, 5, 6, 100].map((steps) => weightSetFor(sets, steps, false).manifest.name)).toEqual(['few', 'few', 'few', 'mid', 'mid', 'general', 'general']);
    }
    // No hand set: a request in a hand is routed as a plain one.
    expect([undefined, 3].map((steps) => weightSetFor([few, mid, general], steps, true))).toEqual([few, mid]);
  });

  it('refuses a count no set draws (only unchecked sets leave one)', () => {
    expect(() => weightSetFor([few, mid], 6)).toThrow(/no weight set draws 6 steps/);
  });
});

describe('stepRanges', () => {
  it('splits 1..100, the API limit, between the plain sets, and gives a hand set all of it', () => {
    expect(stepRanges([few, mid, general].map((s) => s.manifest))).toEqual([[1, 2], [3, 5], [6, 100]]);
    expect(stepRanges([few, hand, mid, general].map((s) => s.manifest))).toEqual([[1, 2], [1, 100], [3, 5], [6, 100]]);
  });
});

describe('guidanceBySteps', () => {
  it('marks the spans of the hand set, which span every step count', () => {
    const spans = guidanceBySteps([few, general, hand].map((s) => s.manifest));
    expect(spans.map((s) => [s.weightSet, s.steps, s.hand])).toEqual([
      ['few', [1, 2], undefined],
      ['general', [3, 100], undefined],
      ['hand', [1, 100], true],
    ]);
  });
});

describe('checkWeightSets', () => {
  it('accepts sets in order of their limits, the last without one', () => {
    expect(() => checkWeightSets([few, mid, general])).not.toThrow();
    expect(() => checkWeightSets([general])).not.toThrow();
    expect(() => checkWeightSets([few, mid, general, hand])).not.toThrow();
    expect(() => checkWeightSets([hand, general])).not.toThrow();
  });

  it.each([
    ['a limit on the last set', [few, mid], /the last weight set, mid, must take any step count/],
    ['a set without a limit before others', [general, few], /general takes any step count, so the sets after it would never serve/],
    ['limits out of order', [mid, few, general], /few's maxSteps 2 must exceed the previous set's 5/],
    ['a nameless set', [set('', 2), general], /weight set 0 \(-v\) has no name/],
    ['two sets of one name', [few, set('few')], /weight sets 0 and 1 share a name or a version \(few, few-v\)/],
    ['a limit that leaves the next set nothing', [set('few', 100), general], /few's maxSteps 100 leaves the sets after it no step count below the API's 100/],
    ['no sets', [], /no weight sets/],
    ['two hand sets', [general, hand, set('hand2', undefined, { hand: true })], /weight sets hand and hand2 both draw the requests in a hand \(sampling\.hand\): one may/],
    ['a hand set with a step limit', [general, set('hand', 4, { hand: true })], /hand draws every request in a hand, so it must take any step count, not at most 4/],
    ['only a hand set', [hand], /no weight set draws plain requests/],
    ['a limit on the last plain set, a hand set after it', [few, mid, hand], /the last weight set, mid, must take any step count/],
  ])('refuses %s', (_, sets, message) => {
    expect(() => checkWeightSets(sets)).toThrow(WeightsError);
    expect(() => checkWeightSets(sets)).toThrow(message);
  });
});
