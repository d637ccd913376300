/**
 * Guidance in a limited interval (SampleOptions.guidanceInterval): the scale
 * applies only to steps whose timestep lies in the band, plain conditional
 * elsewhere, for guided teachers and guidance-distilled students alike. A set's
 * own interval follows the run's step count (its manifest's longRuns: samplingAt).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadShippedModel, type LoadedWeights } from '../scripts/eval/models';
import { guidancePerStep, sample, type SampleOptions } from '../src/model/sampler';
import type { GuidanceDefaults } from '../src/model/sampling-defaults';
import { useWasm } from './helpers/node-backend';

describe('guidancePerStep', () => {
  it('gives w inside the band (bounds included) and 1 outside, every step w without one', () => {
    const ts = [999, 799, 500, 100, 99];
    expect(guidancePerStep(3, ts, 1000, { from: 0.1, to: 0.8 })).toEqual([1, 3, 3, 3, 1]);
    expect(guidancePerStep(3, ts, 1000)).toEqual([3, 3, 3, 3, 3]);
  });
});

describe('sampling with an interval', () => {
  const models: Record<string, LoadedWeights> = {};
  beforeAll(async () => {
    await useWasm();
    models.teacher = await loadShippedModel('weights/teacher');
    models.general = await loadShippedModel('weights');
  });
  /** The set without the sampling its manifest may serve: every step guided unless a run names a band. */
  const everyStep = (name: string): LoadedWeights => {
    const { sampling: _, ...model } = models[name];
    return model;
  };
  /** The set drawing with these sampling defaults, as modelOf would load a manifest that has them. */
  const withSampling = (name: string, sampling: Partial<GuidanceDefaults>): LoadedWeights => ({ ...everyStep(name), sampling: { defaultGuidance: models[name].manifest.sampling.defaultGuidance, ...sampling } });
  const draw = async (model: LoadedWeights, opts: Partial<SampleOptions>) => {
    const x = sample(model, { labels: [2, 7], seeds: [5, 6], steps: 6, guidance: 3, sampler: 'ddim', ...opts });
    const data = await x.data();
    x.dispose();
    return Array.from(data);
  };

  it.each(['teacher', 'general'])('%s: a band holding every step draws what no band does; a band holding none draws guidance 1; a partial band neither', async (name) => {
    const model = everyStep(name);
    const plain = await draw(model, {});
    expect(await draw(model, { guidanceInterval: { from: 0, to: 1 } })).toEqual(plain);
    const unguided = await draw(model, { guidance: 1 });
    // Six steps on the trailing grid sit at t ≥ 166: a band below 0.05·T holds none of them.
    expect(await draw(model, { guidanceInterval: { from: 0, to: 0.05 } })).toEqual(unguided);
    const partial = await draw(model, { guidanceInterval: { from: 0.2, to: 0.7 } });
    expect(partial).not.toEqual(plain);
    expect(partial).not.toEqual(unguided);
  });

  it("uses the set's own interval (its manifest's) where the run names none, and the run's where it does", async () => {
    const base = everyStep('general');
    const own = withSampling('general', { guidanceInterval: { from: 0.2, to: 0.7 } });
    expect(await draw(own, {})).toEqual(await draw(base, { guidanceInterval: { from: 0.2, to: 0.7 } }));
    expect(await draw(own, { guidanceInterval: { from: 0, to: 1 } })).toEqual(await draw(base, {}));
  });

  describe('a set with other guidance for long runs (sampling.longRuns)', () => {
    const band = { from: 0.1, to: 0.8 };
    const longRuns = { fromSteps: 6, defaultGuidance: 4.5, guidanceInterval: band };

    it.each(['teacher', 'general'])('%s: a run of fromSteps steps or more guides in the long-run band, at any guidance the run names', async (name) => {
      const set = withSampling(name, { longRuns });
      const base = everyStep(name);
      for (const [steps, guidance] of [[6, 4.5], [6, 3], [8, 4.5]]) {
        expect(await draw(set, { steps, guidance }), `${steps} steps at ${guidance}`).toEqual(await draw(base, { steps, guidance, guidanceInterval: band }));
      }
      // The band is not a no-op at these steps: every-step guidance draws otherwise.
      expect(await draw(set, { guidance: 4.5 })).not.toEqual(await draw(base, { guidance: 4.5 }));
    });

    it('a shorter run draws as the set without the entry: with its own interval, or at every step', async () => {
      const own = { guidanceInterval: { from: 0.2, to: 0.7 } };
      expect(await draw(withSampling('general', { ...own, longRuns }), { steps: 5 })).toEqual(await draw(withSampling('general', own), { steps: 5 }));
      expect(await draw(withSampling('general', { longRuns }), { steps: 5 })).toEqual(await draw(everyStep('general'), { steps: 5 }));
    });

    it("replaces the set's own interval: an entry without one guides long runs at every step", async () => {
      const set = withSampling('general', { guidanceInterval: { from: 0.2, to: 0.7 }, longRuns: { fromSteps: 6, defaultGuidance: 4.5 } });
      expect(await draw(set, {})).toEqual(await draw(everyStep('general'), {}));
      expect(await draw(set, { steps: 5 })).toEqual(await draw(everyStep('general'), { steps: 5, guidanceInterval: { from: 0.2, to: 0.7 } }));
    });
  });
});
