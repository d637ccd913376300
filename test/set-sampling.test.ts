/** scripts/set-sampling.ts: the manifest edit that makes exported weights servable changes only what it is asked to. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { versionFor, withSampling } from '../scripts/set-sampling';
import { WeightsError, type Manifest } from '../src/model/weights';

const general = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;

describe('withSampling', () => {
  it('sets name, defaults and maxSteps, and leaves everything else as it was', () => {
    const after = withSampling(general, { name: 'fast', defaultSteps: 2, defaultGuidance: 2.5, maxSteps: 2 });
    expect(after.name).toBe('fast');
    expect(after.sampling).toEqual({ ...general.sampling, defaultSteps: 2, defaultGuidance: 2.5, maxSteps: 2 });
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

  it('gives a set a new version when its guidance interval changes, and only then', () => {
    const plain = withSampling(general, { guidanceInterval: null }, '2026-12-06');
    expect(plain.sampling).not.toHaveProperty('guidanceInterval');
    // Without an interval the version is the export's: the binary's hash.
    expect(plain.version.slice(11)).toBe(general.binary.sha256.slice(0, 12));
    const guided = withSampling(plain, { guidanceInterval: { from: 0.1, to: 0.8 } }, '2026-12-06');
    expect(guided.sampling.guidanceInterval).toEqual({ from: 0.1, to: 0.8 });
    expect(guided.version).toBe(versionFor(plain, { from: 0.1, to: 0.8 }, '2026-12-06'));
    expect(guided.version).toMatch(/^2026-12-06-[0-9a-f]{12}$/);
    expect(guided.version).not.toBe(plain.version);
    expect(guided.binary).toEqual(plain.binary);
    // Another interval, another version; the same one again, or a new default guidance, the same version.
    expect(withSampling(guided, { guidanceInterval: { from: 0, to: 0.7 } }, '2026-12-06').version).not.toBe(guided.version);
    expect(withSampling(guided, { guidanceInterval: { from: 0.1, to: 0.8 }, defaultGuidance: 4 }, '2026-12-07').version).toBe(guided.version);
    // Back to every step: the binary's hash again, dated the day of the edit.
    expect(withSampling(guided, { guidanceInterval: null }, '2026-12-08').version).toBe(`2026-12-08-${general.binary.sha256.slice(0, 12)}`);
  });

  it('refuses an interval that is not 0 ≤ from < to ≤ 1, as the Worker would', () => {
    for (const bad of [{ from: 0.8, to: 0.1 }, { from: -0.1, to: 0.5 }, { from: 0.2, to: 1.5 }, { from: 0.3, to: 0.3 }]) {
      expect(() => withSampling(general, { guidanceInterval: bad })).toThrow(/guidanceInterval .* must be \{ from, to \} with 0 ≤ from < to ≤ 1/);
    }
  });
});
