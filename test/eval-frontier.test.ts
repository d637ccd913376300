/** The frontier's choice rule, its comparison with the teacher, its arguments and its figure, on inputs with known answers. */
import UPNG from 'upng-js';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs, UsageError } from '../scripts/eval/args';
import type { GreyCensus } from '../scripts/eval/census';
import type { SetScores } from '../scripts/eval/evaluate';
import { accuracyAtRatio, chooseSetting, paretoFront, ruleText } from '../scripts/eval/frontier/choice';
import { standAgainstTeacher, targetChecks } from '../scripts/eval/frontier/compare';
import { frontierFigure } from '../scripts/eval/frontier/figure';
import type { FrontierReport } from '../scripts/eval/frontier/report';
import { frontierRows, ruleFor, type FrontierResult } from '../scripts/eval/frontier/sweep';
import type { NamedModel } from '../scripts/eval/models';
import { niceTicks, tickLabel } from '../scripts/eval/plot/chart';
import type { SpaceScore } from '../scripts/eval/space-scores';
import { SPACE_NAMES, type SpaceName } from '../scripts/eval/spaces';

const sweep = [
  { guidance: 1, accuracy: 0.97, fid: 5 },
  { guidance: 1.25, accuracy: 0.985, fid: 6 },
  { guidance: 1.5, accuracy: 0.99, fid: 7 },
  { guidance: 1.75, accuracy: 0.995, fid: 6.5 },
  { guidance: 2, accuracy: 0.999, fid: 9 },
];

describe('choice rule (selection seeds, selection classifier)', () => {
  it('picks the lowest guidance reaching the floor, or the best FID among those reaching it', () => {
    expect(chooseSetting(sweep, 'lowest-guidance', 0.99)?.guidance).toBe(1.5);
    expect(chooseSetting(sweep, 'best-fid', 0.99)?.guidance).toBe(1.75);
    expect(chooseSetting([...sweep].reverse(), 'lowest-guidance', 0.99)?.guidance).toBe(1.5); // order of the rows does not matter
  });

  it('chooses nothing when no setting reaches the floor, and breaks FID ties toward less guidance', () => {
    expect(chooseSetting(sweep, 'lowest-guidance', 0.9999)).toBeNull();
    expect(chooseSetting(sweep, 'best-fid', 0.9999)).toBeNull();
    const tie = [{ guidance: 2.5, accuracy: 0.995, fid: 4 }, { guidance: 2, accuracy: 0.995, fid: 4 }];
    expect(chooseSetting(tie, 'best-fid', 0.99)?.guidance).toBe(2);
  });

  it('gives the first model (the teacher) its best setting and the students the lowest guidance, and says so', () => {
    expect([0, 1, 2].map(ruleFor)).toEqual(['best-fid', 'lowest-guidance', 'lowest-guidance']);
    expect(ruleText('lowest-guidance', 0.99)).toBe('the lowest guidance whose selection accuracy ≥ 99.0 %');
  });
});

describe("the teacher's frontier", () => {
  const points = [
    { ratio: 1.0, accuracy: 0.95 },
    { ratio: 1.4, accuracy: 0.97 }, // beaten by (1.2, 0.98)
    { ratio: 1.2, accuracy: 0.98 },
    { ratio: 2.0, accuracy: 0.985 }, // beaten by (1.5, 0.99)
    { ratio: 1.5, accuracy: 0.99 },
  ];

  it('keeps the points nothing beats on both axes, by rising FID ratio', () => {
    expect(paretoFront(points)).toEqual([points[0], points[2], points[4]]);
  });

  it('reads accuracy at a ratio linearly between settings, flat past the last, none below the first', () => {
    expect(accuracyAtRatio(points, 1.1)).toBeCloseTo(0.965, 12);
    expect(accuracyAtRatio(points, 1.4)).toBeCloseTo(0.98 + 0.01 * (0.2 / 0.3), 12);
    expect(accuracyAtRatio(points, 3)).toBe(0.99);
    expect(accuracyAtRatio(points, 0.9)).toBeNull();
  });
});

/** A result row whose FID ratio and both accuracies are the same in every space. */
function row(model: string, guidance: number, ratio: number, accuracy: number, extra: Partial<SpaceScore> = {}, census?: GreyCensus): FrontierResult {
  const reading = { accuracy, interval: [accuracy, accuracy] as [number, number] };
  const space = (s: SpaceName): SpaceScore => ({
    space: s,
    fid: 10 * ratio,
    fidInterval: { lo: 9 * ratio, hi: 11 * ratio, std: ratio, resamples: 10 },
    fidRatio: ratio,
    kid: { mean: ratio / 100, std: 0.001, subsetSize: 10, subsets: 5 },
    manifold: { precision: 0.8, recall: 0.7, density: 1, coverage: 0.9, k: 3 },
    ...extra,
  });
  const c = census ?? { black: 0.8, faint: 0.02, faintTouchingInk: 0.9, blackBesideInk: 0.5, pixels: 784 };
  const reporting: SetScores = { digits: 100, accuracy: { selection: reading, reporting: reading }, spaces: SPACE_NAMES.map(space), census: { raw: c, served: c } };
  return { model, settings: { sampler: 'ddim', steps: 10, guidance }, served: false, networkCallsPerDigit: 10, selection: { digits: 50, accuracy: reading, fid: 10 * ratio }, reporting, chosen: false, msPerDigit: 1 };
}

describe('students against the teacher', () => {
  const teacher = [row('teacher', 1.5, 1.1, 0.98), row('teacher', 1.75, 1.3, 0.99), row('teacher', 2, 1.7, 0.995)];
  const student = [row('student', 2, 1.5, 0.985), row('student', 2.25, 1.9, 0.991)];

  it("reports the student's accuracy minus the teacher frontier's at the student's FID ratio, in every space", () => {
    const stand = standAgainstTeacher([...teacher, ...student], 'teacher', [{ model: 'student', served: 2.25, chosen: 2 }]);
    expect(stand).toHaveLength(2 * SPACE_NAMES.length);
    const served = stand.find((s) => s.point === 'served' && s.space === 'pixels14')!;
    expect(served.teacherAccuracy).toBe(0.995); // past the teacher's last setting
    expect(served.gap).toBeCloseTo(-0.004, 12);
    const chosen = stand.find((s) => s.point === 'chosen' && s.space === 'reporting')!;
    expect(chosen.teacherAccuracy).toBeCloseTo(0.99 + 0.005 * (0.2 / 0.4), 12);
    expect(chosen.gap).toBeCloseTo(0.985 - 0.9925, 12);
  });

  it("checks issue 19's targets against the teacher's chosen row, real recall and the MNIST census", () => {
    const floor = row('real', 0, 1, 1, { manifold: { precision: 0.8, recall: 0.8, density: 1, coverage: 1, k: 3 } }).reporting.spaces;
    const mnist = { black: 0.807, faint: 0.021, faintTouchingInk: 0.996, blackBesideInk: 0.54, pixels: 784 };
    const good = row('student', 2, 1.2, 0.995, {}, { black: 0.79, faint: 0.025, faintTouchingInk: 0.9, blackBesideInk: 0.5, pixels: 784 });
    const checks = targetChecks(good, teacher[1], floor, mnist, 0.99);
    expect(checks.every((c) => c.pass)).toBe(true);
    expect(checks.map((c) => c.target)).toContain("FID ≤ teacher's (pixels14)");
    expect(checks.some((c) => c.target.includes('(selection)') && c.target.startsWith('FID'))).toBe(false); // never judged in the selection space
    const hazy = row('student', 2.25, 1.9, 0.985, { manifold: { precision: 0.8, recall: 0.6, density: 1, coverage: 1, k: 3 } }, { black: 0.41, faint: 0.59, faintTouchingInk: 0.05, blackBesideInk: 0.1, pixels: 784 });
    const failed = targetChecks(hazy, teacher[1], floor, mnist, 0.99).filter((c) => !c.pass).map((c) => c.target);
    expect(failed).toEqual([
      'accuracy ≥ 99.0% (selection classifier)',
      'accuracy ≥ 99.0% (reporting classifier)',
      "FID ≤ teacher's (reporting)",
      "KID ≤ teacher's (reporting)",
      'recall ≥ 0.85 × real (reporting)',
      "FID ≤ teacher's (pixels14)",
      "KID ≤ teacher's (pixels14)",
      'recall ≥ 0.85 × real (pixels14)',
      "raw black within 3 points of MNIST's 80.7%",
      'raw faint 1-32 in 1-4 %',
      'most raw faint grey on rims (> 50 %)',
    ]);
  });
});

describe('frontier rows and arguments', () => {
  const model = (name: string, steps: number, guidance: number, sampler: 'ddim' | 'dpmpp') => ({ name, manifest: { sampling: { defaultSteps: steps, defaultGuidance: guidance, defaultSampler: sampler } } }) as unknown as NamedModel;

  it("sweeps each model at its frontier steps and default sampler, adding and marking its served guidance", () => {
    const rows = frontierRows([model('teacher', 10, 2, 'dpmpp'), model('few-step', 2, 2.25, 'ddim'), model('other', 4, 1.5, 'ddim')], [1, 2, 3], { teacher: 10, 'few-step': 2 });
    const of = (name: string) => rows.filter((r) => r.model === name);
    expect(of('teacher').map((r) => [r.settings.sampler, r.settings.steps, r.settings.guidance, r.served])).toEqual([['dpmpp', 10, 1, false], ['dpmpp', 10, 2, true], ['dpmpp', 10, 3, false]]);
    expect(of('few-step').map((r) => r.settings.guidance)).toEqual([1, 2, 2.25, 3]);
    expect(of('few-step').filter((r) => r.served).map((r) => r.settings.guidance)).toEqual([2.25]);
    expect(of('other').every((r) => r.settings.steps === 4)).toBe(true); // not listed: its manifest's steps
  });

  it('defaults to guidance 1 to 3 by 0.25 and refuses selection seeds that overlap the reporting seeds', () => {
    const args = parseEvalArgs(['--frontier']);
    expect(args.guidance).toEqual([1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    expect(args.frontier).toEqual({ steps: { teacher: 10, general: 10, 'few-step': 2 }, selectionPerClass: 50, selectionSeed: 100001, accuracyFloor: 0.99, guidanceInterval: null });
    expect(parseEvalArgs(['--frontier', '--guidance-interval', '0.1,0.8']).frontier?.guidanceInterval).toEqual({ from: 0.1, to: 0.8 });
    expect(() => parseEvalArgs(['--frontier', '--guidance-interval', '0.8,0.1'])).toThrow(/A < B/);
    expect(parseEvalArgs([]).guidance).toEqual([1, 2, 4]);
    expect(() => parseEvalArgs(['--frontier', '--n', '100', '--selection-seed', '900'])).toThrow(UsageError);
    expect(() => parseEvalArgs(['--frontier', '--frontier-steps', 'teacher'])).toThrow(/name=steps/);
  });
});

describe('figure', () => {
  it('chooses round ticks and labels them with the decimals their spacing needs', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.93, 3.1)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(95, 100.3)).toEqual([96, 98, 100]); // 5.3 / 5 = 1.06: the next round step is 2
    expect(niceTicks(96.5, 100.2)).toEqual([97, 98, 99, 100]);
    expect(niceTicks(0.93, 3.1).map((t, _, all) => tickLabel(t, all))).toEqual(['1.0', '1.5', '2.0', '2.5', '3.0']);
  });

  it('draws one panel per space with a curve per model in its own colour, as a PNG of the stated size', () => {
    const results = [row('teacher', 1, 1.1, 0.97), row('teacher', 2, 1.6, 0.995), row('general', 1, 1.3, 0.95), row('general', 2, 1.9, 0.99)];
    results[1].served = results[3].served = results[3].chosen = true;
    const report = {
      models: [{ name: 'teacher' }, { name: 'general' }],
      choices: [{ model: 'teacher', steps: 10 }, { model: 'general', steps: 10 }],
      results,
      settings: { guidance: [1, 2], accuracyFloor: 0.99 },
      seeds: { selection: { first: 100001, last: 100100 }, reporting: { first: 1, last: 100 } },
    } as unknown as FrontierReport;
    const png = frontierFigure(report);
    const decoded = UPNG.decode(png.buffer.slice(png.byteOffset, png.byteOffset + png.byteLength) as ArrayBuffer);
    expect([decoded.width, decoded.height]).toEqual([3 * 420, 400]);
    const rgba = new Uint8Array(UPNG.toRGBA8(decoded)[0]);
    const count = (r: number, g: number, b: number) => {
      let n = 0;
      for (let i = 0; i < rgba.length; i += 4) if (rgba[i] === r && rgba[i + 1] === g && rgba[i + 2] === b) n++;
      return n;
    };
    expect(count(31, 119, 180)).toBeGreaterThan(200); // the teacher's blue: curves in three panels and the legend
    expect(count(214, 39, 40)).toBeGreaterThan(200); // the general set's red
    expect(count(0, 0, 0)).toBeGreaterThan(1000); // axes, ticks, labels
    expect(frontierFigure(report)).toEqual(png); // same figure, same bytes
  });
});
