/** Recording measured metrics into the weights manifest, and the eval grid's defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGrid } from '../scripts/eval/grid';
import { recordFor, recordMetrics } from '../scripts/eval/record';
import type { ModelSummary } from '../scripts/eval/models';

function copyOfShippedManifest(): { dir: string; before: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
  const before = fs.readFileSync('weights/manifest.json', 'utf8');
  fs.writeFileSync(path.join(dir, 'manifest.json'), before);
  return { dir, before };
}

describe('recordMetrics', () => {
  it('replaces only metrics.<key>, leaving binary, tensors, version and the other metrics as they were', () => {
    const { dir, before } = copyOfShippedManifest();
    const old = JSON.parse(before);
    recordMetrics(dir, 'quality', old.version, { date: '2026-01-01', fid: 1.5 });
    recordMetrics(dir, 'speed', old.version, { msPerDigit: 12 });
    const after = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(after.metrics.quality).toEqual({ date: '2026-01-01', fid: 1.5 });
    expect(after.metrics.speed).toEqual({ msPerDigit: 12 });
    // Every other metric (e.g. the export's quantization figures) is untouched.
    const others = Object.keys(old.metrics).filter((k) => k !== 'quality' && k !== 'speed');
    expect(others.length).toBeGreaterThan(0);
    for (const key of others) expect(after.metrics[key]).toEqual(old.metrics[key]);
    const { metrics: _a, ...restAfter } = after;
    const { metrics: _b, ...restBefore } = old;
    expect(JSON.stringify(restAfter)).toBe(JSON.stringify(restBefore)); // same keys, same order, same values
    expect(fs.readdirSync(dir)).toEqual(['manifest.json']); // atomic write left no temporary file
  });

  it('refuses figures measured on other weights', () => {
    const { dir, before } = copyOfShippedManifest();
    expect(() => recordMetrics(dir, 'quality', 'some-other-version', {})).toThrow(/rerun the measurement/);
    expect(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe(before);
  });
});

describe('recordFor', () => {
  it("records the figures of the measured model whose version the folder holds, and refuses a report that did not measure it", () => {
    const { dir, before } = copyOfShippedManifest();
    const version = JSON.parse(before).version;
    const measured = [{ name: 'student', version: 'other-version' }, { name: 'teacher', version }] as ModelSummary[];
    recordFor(dir, 'speed', measured, (m) => ({ model: m.name }));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).metrics.speed).toEqual({ model: 'teacher' });
    expect(() => recordFor(dir, 'speed', measured.slice(0, 1), (m) => ({ model: m.name }))).toThrow(/rerun the measurement/);
  });
});

describe('eval grid', () => {
  const defaults = { defaultSteps: 10, defaultGuidance: 2, defaultSampler: 'dpmpp' as const };
  const args = { steps: [1, 2, 4, 10, 25, 50], samplers: ['ddim' as const, 'dpmpp' as const], guidance: [1, 2, 4], full: false, fp32All: false };

  it('by default sweeps steps at the default guidance and guidance at the default steps and sampler', () => {
    const grid = buildGrid(args, defaults, false);
    expect(grid).toHaveLength(6 * 2 + 2); // + guidance 1 and 4 at dpmpp 10 steps
    expect(grid.every((c) => c.precision === 'int8')).toBe(true);
    expect(grid.filter((c) => c.guidance !== 2).map((c) => [c.sampler, c.steps, c.guidance])).toEqual([['dpmpp', 10, 1], ['dpmpp', 10, 4]]);
  });

  it('adds fp32 for the guidance sweep, or everything with --fp32-all; --full is the whole product', () => {
    expect(buildGrid(args, defaults, true).filter((c) => c.precision === 'fp32')).toHaveLength(3);
    expect(buildGrid({ ...args, fp32All: true }, defaults, true)).toHaveLength(28);
    expect(buildGrid({ ...args, full: true }, defaults, false)).toHaveLength(36);
  });
});
