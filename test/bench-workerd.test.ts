/**
 * The workerd part of `npm run bench`: what it parses of the Worker's answers, and a real run,
 * one request per path, on the bundled Worker (.test-bundle/) with the bench's probe bundle, so the
 * rows are checked against the weight sets the Worker really serves (src/model/weight-sets.ts).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeModelMs, workerdSection, type BenchReport } from '../scripts/bench/bench-report';
import { speedHeadline } from '../scripts/eval/record';
import type { HttpBench, LoadRun } from '../scripts/bench/http-load';
import { buildBundle, configWithoutBuild } from '../scripts/bench/bundle';
import { benchWorkerd, drawnBy, drawsModel, parseServerTiming, PROBE_ENTRY, WORKERD_PATHS, type ServedWeightSet, type WorkerdBench, type WorkerdRow } from '../scripts/bench/workerd';
import type { SamplerName } from '../src/model/sampler';
import { BUNDLE_DIR, FEW_STEP, GENERAL, HAND } from './helpers/worker';

describe('Server-Timing', () => {
  it('reads each entry with a duration, ignoring descriptions and entries without one', () => {
    expect(parseServerTiming('model;dur=12.5, encode;dur=0.7, cache;desc="miss";dur=1, note')).toEqual({ model: 12.5, encode: 0.7, cache: 1 });
    expect(parseServerTiming(null)).toEqual({});
  });
});

describe('the probe bundle’s wrangler config', () => {
  it('is wrangler.toml without its custom build, static assets and main, keeping the module rules and compatibility date', () => {
    const toml = fs.readFileSync('wrangler.toml', 'utf8');
    expect(toml).toMatch(/^\[build\]/m); // else this test checks nothing
    const probe = configWithoutBuild(toml);
    expect(probe).not.toMatch(/^\s*\[(build|assets)[\].]/m);
    expect(probe).not.toMatch(/^\s*main\s*=/m);
    expect(probe).not.toContain('build:client');
    expect(probe.match(/^\[\[rules\]\]/gm)).toHaveLength(toml.match(/^\[\[rules\]\]/gm)!.length);
    expect(probe).toContain(toml.match(/^compatibility_date = .*$/m)![0]);
    expect(probe).toContain('globs = ["**/*.wasm"]');
    expect(probe).toContain('globs = ["**/*.bin"]');
  });
});

const asServed = (m: typeof FEW_STEP, steps: [number, number]): ServedWeightSet => ({
  name: m.name,
  steps,
  weightsVersion: m.version,
  sampling: {
    defaultSteps: m.sampling.defaultSteps,
    defaultGuidance: m.sampling.defaultGuidance,
    defaultSampler: m.sampling.defaultSampler as SamplerName,
    ...(m.sampling.hand ? { hand: true as const } : {}),
  },
});

describe('what a row was drawn with', () => {
  const sets = [asServed(FEW_STEP, [1, FEW_STEP.sampling.maxSteps!]), asServed(GENERAL, [FEW_STEP.sampling.maxSteps! + 1, 100]), asServed(HAND, [1, 100])];

  it('the set the answer names, at the path’s steps or, without them, that set’s default steps, guidance and sampler', () => {
    expect(drawnBy('/digit/5.png', FEW_STEP.version, sets)).toEqual({ weightSet: FEW_STEP.name, weightsVersion: FEW_STEP.version, steps: FEW_STEP.sampling.defaultSteps, guidance: FEW_STEP.sampling.defaultGuidance, sampler: FEW_STEP.sampling.defaultSampler });
    expect(drawnBy('/digit/5.png?steps=10', GENERAL.version, sets)).toEqual({ weightSet: GENERAL.name, weightsVersion: GENERAL.version, steps: 10, guidance: GENERAL.sampling.defaultGuidance, sampler: GENERAL.sampling.defaultSampler });
    const own = { guidance: HAND.sampling.defaultGuidance, sampler: HAND.sampling.defaultSampler };
    expect(drawnBy('/number/2026.png', HAND.version, sets)).toEqual({ weightSet: HAND.name, weightsVersion: HAND.version, steps: HAND.sampling.defaultSteps, ...own });
    expect(drawnBy('/digit/5.png?steps=2&slant=0.1', HAND.version, sets)).toEqual({ weightSet: HAND.name, weightsVersion: HAND.version, steps: 2, ...own });
    expect(drawnBy('/healthz', null, sets)).toEqual({ weightSet: null, weightsVersion: null, steps: null, guidance: null, sampler: null });
  });

  it('refuses a digit answer without a version, or with one the Worker does not list', () => {
    expect(() => drawnBy('/digit/5.png', null, sets)).toThrow(/X-Weights-Version null/);
    expect(() => drawnBy('/digit/5.png?steps=1', 'not-a-version', sets)).toThrow(/not one of GET \/model's weight sets/);
  });
});

/** The set that draws a number (always in a hand): the hand set, and what it draws it with. */
const NUMBER_SET = HAND;
const NUMBER_DRAWN = {
  weightSet: NUMBER_SET.name,
  weightsVersion: NUMBER_SET.version,
  steps: NUMBER_SET.sampling.defaultSteps,
  guidance: NUMBER_SET.sampling.defaultGuidance,
  sampler: NUMBER_SET.sampling.defaultSampler,
};

describe('benchWorkerd on the bundled Worker', () => {
  let bench: WorkerdBench;
  let probeDir: string | undefined;
  beforeAll(async () => {
    probeDir = buildBundle(PROBE_ENTRY).dir;
    bench = await benchWorkerd(BUNDLE_DIR, probeDir, 1, 1, 0);
  }, 300_000);
  afterAll(() => {
    if (probeDir) fs.rmSync(probeDir, { recursive: true, force: true });
  });
  const row = (path: string): WorkerdRow => {
    const found = bench.rows.find((x) => x.path === path);
    if (!found) throw new Error(`no row for ${path}`);
    return found;
  };

  it('times the default request (no steps) besides the budgets’ step counts, a number in one hand and /healthz', () => {
    expect(WORKERD_PATHS).toContain('/digit/5.png');
    expect(WORKERD_PATHS).toContain('/number/2026.png');
    expect(bench.rows.map((x) => x.path)).toEqual(WORKERD_PATHS);
  });

  it('lists the Worker’s weight sets, and the default request’s weights as /healthz names them', () => {
    expect(bench.weightsVersion).toBe(FEW_STEP.version);
    expect(bench.weightSets.map((s) => [s.name, s.weightsVersion, s.sampling])).toEqual([
      [FEW_STEP.name, FEW_STEP.version, { defaultSteps: FEW_STEP.sampling.defaultSteps, defaultGuidance: FEW_STEP.sampling.defaultGuidance, defaultSampler: FEW_STEP.sampling.defaultSampler }],
      [GENERAL.name, GENERAL.version, { defaultSteps: GENERAL.sampling.defaultSteps, defaultGuidance: GENERAL.sampling.defaultGuidance, defaultSampler: GENERAL.sampling.defaultSampler }],
      [HAND.name, HAND.version, { defaultSteps: HAND.sampling.defaultSteps, defaultGuidance: HAND.sampling.defaultGuidance, defaultSampler: HAND.sampling.defaultSampler, hand: true }],
    ]);
    expect(bench.weightSets[0].steps).toEqual([1, FEW_STEP.sampling.maxSteps]);
    expect(bench.weightSets[1].steps[0]).toBe(FEW_STEP.sampling.maxSteps! + 1);
  });

  it('the default path is drawn by the few-step weights, at their default steps, guidance and sampler', () => {
    expect(row('/digit/5.png')).toMatchObject({ weightSet: FEW_STEP.name, weightsVersion: FEW_STEP.version, steps: FEW_STEP.sampling.defaultSteps, guidance: FEW_STEP.sampling.defaultGuidance, sampler: FEW_STEP.sampling.defaultSampler });
  });

  it('each step count by the set that serves it, at that set’s guidance; a number by the hand set, at its defaults', () => {
    expect(row('/digit/5.png?steps=1')).toMatchObject({ weightSet: FEW_STEP.name, weightsVersion: FEW_STEP.version, steps: 1, guidance: FEW_STEP.sampling.defaultGuidance, sampler: FEW_STEP.sampling.defaultSampler });
    expect(row('/digit/5.png?steps=10')).toMatchObject({ weightSet: GENERAL.name, weightsVersion: GENERAL.version, steps: 10, guidance: GENERAL.sampling.defaultGuidance, sampler: GENERAL.sampling.defaultSampler });
    expect(row('/number/2026.png')).toMatchObject(NUMBER_DRAWN);
    expect(row('/healthz')).toMatchObject({ weightSet: null, weightsVersion: null, steps: null, guidance: null, sampler: null, modelMs: null, pngMs: null });
  });

  it('every figure is a time that adds up', () => {
    for (const x of bench.rows) {
      const digit = drawsModel(x.path);
      for (const ms of [x.requestMs, x.dispatchMs, x.isolateMs]) expect(ms, x.path).toBeGreaterThanOrEqual(0);
      expect(x.requestMs, x.path).toBeGreaterThan(0);
      expect(x.modelMs === null, x.path).toBe(!digit);
      expect(x.pngMs === null, x.path).toBe(!digit);
      expect(x.otherMs).toBeCloseTo(x.requestMs - x.assetsRouterMs - x.dispatchMs - x.isolateMs, 9);
      expect(x.restMs).toBeCloseTo(x.isolateMs - (x.modelMs ?? 0) - (x.pngMs ?? 0), 9);
    }
  });

  it('the report’s Node column takes each row’s time from the model whose weights drew it, at its steps and guidance', () => {
    const few = FEW_STEP.sampling;
    const gen = GENERAL.sampling;
    const models = [
      { name: 'teacher', version: 'teacher-version' },
      { name: 'few-step', version: FEW_STEP.version },
      { name: 'general', version: GENERAL.version },
      { name: 'hand', version: HAND.version },
    ];
    // Each model timed at every row's steps and both guidances, with a distinct time per setting.
    const generation = models.flatMap((m, i) =>
      [1, few.defaultSteps, 10].flatMap((steps) =>
        [1, few.defaultGuidance, gen.defaultGuidance].map((guidance) => ({ model: m.name, steps, guidance, sampler: few.defaultSampler as SamplerName, medianMs: 1000 * i + 10 * steps + guidance })),
      ),
    );
    const r = { models, generation, workerd: bench };
    expect(few.defaultSampler).toBe(gen.defaultSampler);
    expect(nodeModelMs(r, row('/digit/5.png'))).toBe(1000 + 10 * few.defaultSteps + few.defaultGuidance);
    expect(nodeModelMs(r, row('/digit/5.png?steps=1'))).toBe(1000 + 10 + few.defaultGuidance);
    expect(nodeModelMs(r, row('/digit/5.png?steps=10'))).toBe(2000 + 100 + gen.defaultGuidance);
    expect(nodeModelMs(r, row('/healthz'))).toBeUndefined();
    // Node times one digit: a number of four has no Node figure.
    expect(nodeModelMs(r, row('/number/2026.png'))).toBeUndefined();
    // Not among --models, or that setting not timed: no Node figure.
    expect(nodeModelMs({ models: models.slice(0, 2), generation }, row('/digit/5.png?steps=10'))).toBeUndefined();
    expect(nodeModelMs({ models, generation: generation.filter((g) => g.steps !== 10) }, row('/digit/5.png?steps=10'))).toBeUndefined();

    const md = workerdSection(r);
    expect(md).toContain(`| \`GET /digit/5.png\` | few-step: ${few.defaultSteps} steps, g=${few.defaultGuidance}, ${few.defaultSampler} |`);
    expect(md).toContain(`| \`GET /digit/5.png?steps=10\` | general: 10 steps, g=${gen.defaultGuidance}, ${gen.defaultSampler} |`);
    expect(md).toContain(`| \`GET /number/2026.png\` | ${NUMBER_DRAWN.weightSet}: ${NUMBER_DRAWN.steps} steps, g=${NUMBER_DRAWN.guidance}, ${NUMBER_DRAWN.sampler} |`);
    expect(md).toContain('| `GET /healthz` | – (no model) |');
    expect(md).toContain(`**few-step** (\`${FEW_STEP.version}\`): steps 1–${few.maxSteps} and the default request`);
    expect(md).toContain(`**general** (\`${GENERAL.version}\`): steps ${few.maxSteps! + 1}–`);
    expect(md).toContain(`**hand** (\`${HAND.version}\`): every request in a hand`);
  });

  it('--record hands each served set the rows its weights drew, and the HTTP runs to the set that drew them', () => {
    const run = (weights: Record<string, number>): LoadRun => ({ path: '/digit/N.png', connections: 1, requests: 1, seconds: 1, requestsPerSecond: 1, p50Ms: 1, p90Ms: 1, p99Ms: 1, maxMs: 1, non2xx: 0, errors: 0, cache: {}, weights });
    const http: HttpBench = { url: 'http://127.0.0.1', workerdStartupMs: 1, firstRequestMs: 1, runs: { uncached: run({ [FEW_STEP.version]: 1 }), miss: run({ [FEW_STEP.version]: 1 }), hit: run({ [FEW_STEP.version]: 1 }) } };
    // What speedHeadline reads besides the workerd and HTTP parts.
    const model = (name: string, version: string) => ({ name, version, parameters: 1, weightBytes: 1, mflopsPerNetworkCall: 1, served: { gflops: 1, shareOfPeak: 0.1 }, coldStart: { totalMedianMs: 1 } });
    const report = (httpBench: HttpBench) =>
      ({ date: 'd', machine: 'm', backend: 'b', peak: { gflops: 1 }, cpuBackend: null, bundle: { gzipBytes: 2048 }, generation: [], models: [model('teacher', 'teacher-version'), model('few-step', FEW_STEP.version), model('general', GENERAL.version)], workerd: bench, http: httpBench }) as unknown as BenchReport;
    const headline = (name: string, r = report(http)) => speedHeadline(r, r.models.find((m) => m.name === name)! as never) as { workerd: { path: string }[] | null; http: unknown; bundleGzipKiB: number | null };
    const drawnBy = (set: typeof GENERAL, paths: string[]) => (NUMBER_SET === set ? [...paths, '/number/2026.png'] : paths);
    expect(headline('few-step').workerd?.map((x) => x.path)).toEqual(drawnBy(FEW_STEP, ['/digit/5.png', '/digit/5.png?steps=1']));
    expect(headline('few-step').http).not.toBeNull();
    expect(headline('general').workerd?.map((x) => x.path)).toEqual(drawnBy(GENERAL, ['/digit/5.png?steps=10']));
    expect(headline('general').http).toBeNull();
    expect([headline('few-step').bundleGzipKiB, headline('general').bundleGzipKiB]).toEqual([2, 2]);
    expect(headline('teacher')).toMatchObject({ workerd: null, http: null, bundleGzipKiB: null });
    // Runs drawn by more than one set belong to neither.
    expect(headline('few-step', report({ ...http, runs: { ...http.runs, hit: run({ [GENERAL.version]: 1 }) } })).http).toBeNull();
  });
});
