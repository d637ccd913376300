/**
 * What the frontier report concludes from its rows: where each student's
 * points stand against the teacher's frontier (accuracy at equal FID ratio,
 * per space), and issue 19's targets checked at the students' served and
 * chosen settings, all on the reporting seeds.
 */
import type { GreyCensus } from '../census';
import type { SpaceScore } from '../space-scores';
import { SPACE_NAMES, type SpaceName } from '../spaces';
import { accuracyAtRatio } from './choice';
import type { FrontierResult } from './sweep';

/** The classifier whose accuracy a space's panel plots: its own in the selection space, the reporting one elsewhere. */
export function accuracyFor(space: SpaceName): 'selection' | 'reporting' {
  return space === 'selection' ? 'selection' : 'reporting';
}

export function spaceScore(r: FrontierResult, space: SpaceName): SpaceScore {
  return r.reporting.spaces.find((s) => s.space === space)!;
}

export interface StandAgainstTeacher {
  model: string;
  point: 'served' | 'chosen';
  guidance: number;
  space: SpaceName;
  ratio: number;
  accuracy: number;
  /** The teacher frontier's accuracy at the same ratio; null when the teacher never gets that close to real. */
  teacherAccuracy: number | null;
  /** accuracy − teacherAccuracy, in share (−0.017 = 1.7 points below the teacher). */
  gap: number | null;
}

export function standAgainstTeacher(results: FrontierResult[], teacher: string, students: { model: string; served: number; chosen: number | null }[]): StandAgainstTeacher[] {
  const own = (model: string) => results.filter((r) => r.model === model);
  return students.flatMap(({ model, served, chosen }) =>
    (['served', 'chosen'] as const).flatMap((point) => {
      const guidance = point === 'served' ? served : chosen;
      const row = own(model).find((r) => r.settings.guidance === guidance);
      if (!row || guidance === null) return [];
      return SPACE_NAMES.map((space) => {
        const curve = own(teacher).map((r) => ({ ratio: spaceScore(r, space).fidRatio, accuracy: r.reporting.accuracy[accuracyFor(space)].accuracy }));
        const ratio = spaceScore(row, space).fidRatio;
        const accuracy = row.reporting.accuracy[accuracyFor(space)].accuracy;
        const teacherAccuracy = accuracyAtRatio(curve, ratio);
        return { model, point, guidance, space, ratio, accuracy, teacherAccuracy, gap: teacherAccuracy === null ? null : accuracy - teacherAccuracy };
      });
    }),
  );
}

export interface TargetCheck {
  target: string;
  value: string;
  pass: boolean;
}

/** The reporting spaces: the targets are judged there, never in the selection space. */
const REPORTING_SPACES: SpaceName[] = ['reporting', 'pixels14'];

/**
 * Issue 19's targets for one student row against the teacher's chosen row
 * (its best setting reading ≥ the floor), real recall from the floor and the
 * MNIST census. `steps=1` (FID ≤ 1.5 × the default request's) is not a
 * frontier row and is left to the eval grid.
 */
export function targetChecks(row: FrontierResult, teacher: FrontierResult | undefined, floor: SpaceScore[], mnist: GreyCensus, accuracyFloor: number): TargetCheck[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const checks: TargetCheck[] = (['selection', 'reporting'] as const).map((c) => ({
    target: `accuracy ≥ ${pct(accuracyFloor)} (${c} classifier)`,
    value: pct(row.reporting.accuracy[c].accuracy),
    pass: row.reporting.accuracy[c].accuracy >= accuracyFloor,
  }));
  for (const space of REPORTING_SPACES) {
    const s = spaceScore(row, space);
    const real = floor.find((f) => f.space === space)!;
    if (teacher) {
      const t = spaceScore(teacher, space);
      checks.push({ target: `FID ≤ teacher's (${space})`, value: `${s.fid.toFixed(2)} vs ${t.fid.toFixed(2)}`, pass: s.fid <= t.fid });
      checks.push({ target: `KID ≤ teacher's (${space})`, value: `${s.kid.mean.toPrecision(3)} vs ${t.kid.mean.toPrecision(3)}`, pass: s.kid.mean <= t.kid.mean });
    }
    checks.push({ target: `recall ≥ 0.85 × real (${space})`, value: `${s.manifold.recall.toFixed(3)} vs ${(0.85 * real.manifold.recall).toFixed(3)}`, pass: s.manifold.recall >= 0.85 * real.manifold.recall });
  }
  const raw = row.reporting.census.raw;
  checks.push({ target: `raw black within 3 points of MNIST's ${pct(mnist.black)}`, value: pct(raw.black), pass: Math.abs(raw.black - mnist.black) <= 0.03 });
  checks.push({ target: 'raw faint 1-32 in 1-4 %', value: `${(100 * raw.faint).toFixed(2)}%`, pass: raw.faint >= 0.01 && raw.faint <= 0.04 });
  checks.push({ target: 'most raw faint grey on rims (> 50 %)', value: pct(raw.faintTouchingInk), pass: raw.faintTouchingInk > 0.5 });
  return checks;
}
