/**
 * A set's guidance by step count (src/model/sampling-defaults.ts): samplingAt, the
 * spans GET /model lists (guidanceBySteps) and the manifest checks of sampling.longRuns.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { samplingAt, type SamplingDefaults } from '../src/model/sampling-defaults';
import { guidanceBySteps } from '../src/model/weight-sets';
import { validateManifest, WeightsError, type Manifest } from '../src/model/weights';

const general = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
const band = { from: 0.1, to: 0.8 };
const longRuns = { fromSteps: 10, defaultGuidance: 4.5, guidanceInterval: band };
const sampling: SamplingDefaults = { defaultSteps: 4, defaultGuidance: 2.25, defaultSampler: 'ddim', longRuns };

describe('samplingAt', () => {
  it("gives the set's own guidance below fromSteps and the long-run entry's at and above it", () => {
    for (const steps of [1, 4, 9]) expect(samplingAt(sampling, steps), `${steps} steps`).toEqual({ defaultGuidance: 2.25 });
    for (const steps of [10, 11, 100]) expect(samplingAt(sampling, steps), `${steps} steps`).toEqual({ defaultGuidance: 4.5, guidanceInterval: band });
  });

  it("replaces both: the set's interval below fromSteps, the entry's (or none) from it on", () => {
    const own = { from: 0.2, to: 0.7 };
    expect(samplingAt({ ...sampling, guidanceInterval: own }, 9)).toEqual({ defaultGuidance: 2.25, guidanceInterval: own });
    expect(samplingAt({ ...sampling, guidanceInterval: own }, 10)).toEqual({ defaultGuidance: 4.5, guidanceInterval: band });
    expect(samplingAt({ ...sampling, guidanceInterval: own, longRuns: { fromSteps: 10, defaultGuidance: 3 } }, 10)).toEqual({ defaultGuidance: 3 });
  });

  it('is the set’s own at every step count without an entry', () => {
    expect(samplingAt({ ...sampling, longRuns: undefined }, 100)).toEqual({ defaultGuidance: 2.25 });
  });
});

describe('guidanceBySteps', () => {
  it("splits a set's range where its long runs start, and only there", () => {
    const fewStep = { name: 'few-step', sampling: { defaultSteps: 2, defaultGuidance: 2.25, defaultSampler: 'ddim' as const, maxSteps: 2 } };
    expect(guidanceBySteps([fewStep, { name: 'general', sampling }])).toEqual([
      { weightSet: 'few-step', steps: [1, 2], defaultGuidance: 2.25 },
      { weightSet: 'general', steps: [3, 9], defaultGuidance: 2.25 },
      { weightSet: 'general', steps: [10, 100], defaultGuidance: 4.5, guidanceInterval: band },
    ]);
    expect(guidanceBySteps([fewStep, { name: 'general', sampling: { ...sampling, longRuns: undefined } }])).toEqual([
      { weightSet: 'few-step', steps: [1, 2], defaultGuidance: 2.25 },
      { weightSet: 'general', steps: [3, 100], defaultGuidance: 2.25 },
    ]);
  });
});

describe('the manifest check of sampling.longRuns', () => {
  const check = (entry: unknown, more: Partial<SamplingDefaults> = {}) => () => validateManifest({ ...general, sampling: { ...general.sampling, ...more, longRuns: entry } });

  it('accepts an entry with or without its own interval', () => {
    expect(check(longRuns)().sampling.longRuns).toEqual(longRuns);
    expect(check({ fromSteps: 5, defaultGuidance: 0 })().sampling.longRuns).toEqual({ fromSteps: 5, defaultGuidance: 0 });
  });

  it.each([
    ['not an object', 4.5, /sampling\.longRuns 4\.5: must be \{ fromSteps, defaultGuidance, guidanceInterval\? \}/],
    ['null', null, /sampling\.longRuns null: must be/],
    ['a misspelt field', { ...longRuns, interval: band }, /unknown field interval; allowed: fromSteps, defaultGuidance, guidanceInterval/],
    ['fromSteps at defaultSteps', { ...longRuns, fromSteps: 4 }, /fromSteps must be an integer above defaultSteps \(4\) and at most 100, the set's last step count/],
    ['fromSteps not an integer', { ...longRuns, fromSteps: 9.5 }, /fromSteps must be an integer/],
    ['fromSteps beyond the API', { ...longRuns, fromSteps: 101 }, /fromSteps must be an integer above defaultSteps \(4\) and at most 100/],
    ['no fromSteps', { defaultGuidance: 4.5 }, /fromSteps must be an integer/],
    ['guidance above the limit', { ...longRuns, defaultGuidance: 10.5 }, /defaultGuidance must be a number from 0 to 10/],
    ['negative guidance', { ...longRuns, defaultGuidance: -1 }, /defaultGuidance must be a number from 0 to 10/],
    ['guidance as a string', { ...longRuns, defaultGuidance: '4.5' }, /defaultGuidance must be a number from 0 to 10/],
    ['a reversed interval', { ...longRuns, guidanceInterval: { from: 0.8, to: 0.1 } }, /guidanceInterval must be \{ from, to \} with 0 ≤ from < to ≤ 1/],
    ['an interval past T', { ...longRuns, guidanceInterval: { from: 0.1, to: 1.5 } }, /guidanceInterval must be \{ from, to \} with 0 ≤ from < to ≤ 1/],
  ])('refuses %s', (_, entry, message) => {
    expect(check(entry)).toThrow(WeightsError);
    expect(check(entry)).toThrow(message);
  });

  it('refuses an entry past the last step count a limited set serves', () => {
    expect(check(longRuns, { maxSteps: 9 })).toThrow(/fromSteps must be an integer above defaultSteps \(4\) and at most 9, the set's last step count/);
    expect(check(longRuns, { maxSteps: 10 })().sampling.longRuns).toEqual(longRuns);
  });
});
