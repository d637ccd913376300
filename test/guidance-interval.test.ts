/**
 * Guidance in a limited interval (SampleOptions.guidanceInterval): the scale
 * applies only to steps whose timestep lies in the band, plain conditional
 * elsewhere, for guided teachers and guidance-distilled students alike.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadShippedModel, type LoadedWeights } from '../scripts/eval/models';
import { guidancePerStep, sample, type SampleOptions } from '../src/model/sampler';
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
  /** The set without the interval its manifest may serve: every step guided unless a run names a band. */
  const everyStep = (name: string): LoadedWeights => {
    const { guidanceInterval: _, ...model } = models[name];
    return model;
  };
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
    const own = { ...base, guidanceInterval: { from: 0.2, to: 0.7 } };
    expect(await draw(own, {})).toEqual(await draw(base, { guidanceInterval: { from: 0.2, to: 0.7 } }));
    expect(await draw(own, { guidanceInterval: { from: 0, to: 1 } })).toEqual(await draw(base, {}));
  });
});
