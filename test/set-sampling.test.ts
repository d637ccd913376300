/** scripts/set-sampling.ts: the manifest edit that makes exported weights servable changes only what it is asked to. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withSampling } from '../scripts/set-sampling';
import { WeightsError, type Manifest } from '../src/model/weights';

const general = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;

describe('withSampling', () => {
  it('sets name, defaults and maxSteps, and leaves everything else as it was', () => {
    const after = withSampling(general, { name: 'fast', defaultSteps: 2, defaultGuidance: 2.5, maxSteps: 2 });
    expect(after.name).toBe('fast');
    expect(after.sampling).toEqual({ defaultSteps: 2, defaultGuidance: 2.5, defaultSampler: general.sampling.defaultSampler, maxSteps: 2 });
    const { name: _a, sampling: _b, ...restAfter } = after;
    const { name: _c, sampling: _d, ...restBefore } = general;
    expect(restAfter).toEqual(restBefore);
    // name sits right after version, where export puts it.
    expect(Object.keys(after).slice(0, 3)).toEqual(['format', 'version', 'name']);
  });

  it('removes the step limit with null, and keeps the name when none is given', () => {
    const limited = withSampling(general, { maxSteps: 50 });
    expect(limited.sampling.maxSteps).toBe(50);
    const any = withSampling(limited, { maxSteps: null });
    expect(any.sampling).not.toHaveProperty('maxSteps');
    expect(any.name).toBe(general.name);
  });

  it('refuses a limit below the default step count, as the Worker would', () => {
    expect(() => withSampling(general, { defaultSteps: 4, maxSteps: 2 })).toThrow(WeightsError);
    expect(() => withSampling(general, { defaultSteps: 4, maxSteps: 2 })).toThrow(/maxSteps 2 must be an integer no smaller than defaultSteps/);
  });
});
