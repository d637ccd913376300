/** scripts/set-sampling.ts: the manifest edit that makes exported weights servable changes only what it is asked to. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSetSampling, versionFor, withSampling } from '../scripts/set-sampling';
import { validateManifest, WeightsError, type Manifest } from '../src/model/weights';

const general = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')) as Manifest;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

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
    expect(guided.version).toBe(versionFor(plain, guided.sampling, '2026-12-06'));
    // The hash of binary and interval, as before sets had long runs: versions already served stay valid.
    expect(guided.version).toBe(`2026-12-06-${sha256(`${general.binary.sha256}\n{"from":0.1,"to":0.8}`).slice(0, 12)}`);
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

  describe('long runs (sampling.longRuns)', () => {
    const plain = withSampling(general, { guidanceInterval: null, longRuns: null }, '2026-12-06');
    const longRuns = { fromSteps: 10, defaultGuidance: 4.5, guidanceInterval: { from: 0.1, to: 0.8 } };

    it('sets, replaces and removes the entry, each change that moves an interval re-versioning the set', () => {
      const long = withSampling(plain, { longRuns }, '2026-12-06');
      expect(long.sampling).toEqual({ ...plain.sampling, longRuns });
      expect(long.version).toMatch(/^2026-12-06-[0-9a-f]{12}$/);
      expect(long.version).not.toBe(plain.version);
      expect(long.version).toBe(versionFor(plain, long.sampling, '2026-12-06'));
      expect(long.binary).toEqual(plain.binary);
      // Another start, another band, no band, or the same band on a set that has its own interval: each draws otherwise.
      const versions = [
        withSampling(long, { longRuns: { ...longRuns, fromSteps: 12 } }, '2026-12-06'),
        withSampling(long, { longRuns: { ...longRuns, guidanceInterval: { from: 0, to: 0.8 } } }, '2026-12-06'),
        withSampling(long, { longRuns: { fromSteps: 10, defaultGuidance: 4.5 } }, '2026-12-06'),
        withSampling(long, { guidanceInterval: { from: 0.1, to: 0.8 } }, '2026-12-06'),
      ].map((m) => m.version);
      expect(new Set([long.version, plain.version, ...versions]).size).toBe(6);
      // A new long-run default guidance alone is a default: cache keys hold the filled-in guidance.
      const stronger = withSampling(long, { longRuns: { ...longRuns, defaultGuidance: 5 } }, '2026-12-07');
      expect(stronger.sampling.longRuns?.defaultGuidance).toBe(5);
      expect(stronger.version).toBe(long.version);
      // Removed: the binary's hash again, dated the day of the edit.
      const removed = withSampling(long, { longRuns: null }, '2026-12-08');
      expect(removed.sampling).not.toHaveProperty('longRuns');
      expect(removed.version).toBe(`2026-12-08-${general.binary.sha256.slice(0, 12)}`);
    });

    it('refuses an entry the Worker would refuse', () => {
      expect(() => withSampling(plain, { longRuns: { ...longRuns, fromSteps: plain.sampling.defaultSteps } })).toThrow(/sampling\.longRuns .*: fromSteps must be an integer above defaultSteps \(4\) and at most 100/);
      expect(() => withSampling(plain, { longRuns: { ...longRuns, defaultGuidance: 11 } })).toThrow(/defaultGuidance must be a number from 0 to 10/);
      expect(() => withSampling(plain, { longRuns: { ...longRuns, guidanceInterval: { from: 0.8, to: 0.1 } } })).toThrow(/longRuns .*: guidanceInterval must be \{ from, to \} with 0 ≤ from < to ≤ 1/);
      // A set served only up to 8 steps never draws 10.
      expect(() => withSampling(plain, { maxSteps: 8, longRuns })).toThrow(/fromSteps must be an integer above defaultSteps \(4\) and at most 8/);
      // Moving the default steps past the entry is refused too.
      expect(() => withSampling(withSampling(plain, { longRuns }), { defaultSteps: 10 })).toThrow(/fromSteps must be an integer above defaultSteps \(10\)/);
    });

    it('is what --long-runs FROM:W[:A,B] and --no-long-runs ask for on the command line', () => {
      expect(parseSetSampling(['weights', '--long-runs', '10:4.5:0.1,0.8']).change.longRuns).toEqual(longRuns);
      expect(parseSetSampling(['weights', '--long-runs', '12:3']).change.longRuns).toEqual({ fromSteps: 12, defaultGuidance: 3 });
      expect(parseSetSampling(['weights', '--no-long-runs']).change.longRuns).toBeNull();
      expect(parseSetSampling(['weights', '--steps', '4']).change.longRuns).toBeUndefined();
      for (const [bad, message] of [
        ['10', /--long-runs must be FROM:W or FROM:W:A,B/],
        ['10:4.5:0.1,0.8:1', /--long-runs must be FROM:W or FROM:W:A,B/],
        ['ten:4.5', /--long-runs FROM must be an integer from 1 to 100, got "ten"/],
        ['10:11', /--long-runs W must be a number from 0 to 10, got "11"/],
        ['10:4.5:0.8,0.1', /--long-runs A,B must be two fractions A,B with 0 ≤ A < B ≤ 1, got "0.8,0.1"/],
      ] as const) {
        expect(() => parseSetSampling(['weights', '--long-runs', bad]), bad).toThrow(message);
      }
      expect(() => parseSetSampling(['weights', '--long-runs', '10:4.5', '--no-long-runs'])).toThrow(/exclude each other/);
    });
  });
});

describe('the hand set (sampling.hand)', () => {
  const hand = JSON.parse(fs.readFileSync('weights/hand/manifest.json', 'utf8')) as Manifest;

  it('sets and removes it without a new version: which set draws a request is in its X-Weights-Version, not in its bytes', () => {
    const plain = withSampling(hand, { hand: null }, '2026-12-06');
    expect(plain.sampling).not.toHaveProperty('hand');
    const taking = withSampling(plain, { hand: true }, '2026-12-06');
    expect(taking.sampling).toEqual({ ...plain.sampling, hand: true });
    expect([plain.version, taking.version]).toEqual([hand.version, hand.version]);
  });

  it('refuses it on a set with no style inputs, and any value but true, as the Worker would', () => {
    const { defaultSteps, defaultGuidance, defaultSampler } = general.sampling;
    const plain = { ...general, sampling: { defaultSteps, defaultGuidance, defaultSampler }, architecture: { ...general.architecture, styleFeatures: 0 } };
    expect(() => withSampling(plain, { hand: true })).toThrow(/sampling\.hand is for a set with style inputs, and this one has none/);
    expect(() => validateManifest({ ...general, sampling: { ...general.sampling, hand: 'yes' } })).toThrow(/sampling\.hand "yes" must be true or absent/);
    expect(() => validateManifest({ ...general, sampling: { ...general.sampling, defaultSampler: 'euler' } })).toThrow(/sampling\.defaultSampler "euler" must be one of ddim, dpmpp/);
  });

  it('is what --hand and --no-hand ask for on the command line', () => {
    expect(parseSetSampling(['weights/hand', '--hand']).change.hand).toBe(true);
    expect(parseSetSampling(['weights/hand', '--no-hand']).change.hand).toBeNull();
    expect(parseSetSampling(['weights/hand']).change.hand).toBeUndefined();
    expect(() => parseSetSampling(['weights/hand', '--hand', '--no-hand'])).toThrow(/exclude each other/);
  });
});

