/**
 * How the frontier picks a setting per model, on the selection seeds with the
 * selection classifier only (never on what it then reports), and how a
 * student is set against the teacher's frontier.
 */

/**
 * lowest-guidance: the lowest guidance whose selection accuracy reaches the floor
 *   (the least guidance, so the least diversity lost, that still draws the class asked for);
 * best-fid: among the settings that reach it, the lowest selection-space FID
 *   (the teacher's "best setting reading ≥ floor" that issue 19's targets compare with).
 */
export type ChoiceRule = 'lowest-guidance' | 'best-fid';

export interface SelectionPoint {
  guidance: number;
  /** Selection-classifier accuracy on the selection seeds. */
  accuracy: number;
  /** Selection-space FID on the selection seeds. */
  fid: number;
}

export function ruleText(rule: ChoiceRule, floor: number): string {
  const reach = `selection accuracy ≥ ${(100 * floor).toFixed(1)} %`;
  return rule === 'lowest-guidance' ? `the lowest guidance whose ${reach}` : `the lowest selection-space FID among the settings whose ${reach}`;
}

/** The chosen point, or null when none reaches the floor. Ties go to the lower guidance. */
export function chooseSetting<T extends SelectionPoint>(points: T[], rule: ChoiceRule, floor: number): T | null {
  const reaching = points.filter((p) => p.accuracy >= floor).sort((a, b) => a.guidance - b.guidance);
  if (!reaching.length) return null;
  if (rule === 'lowest-guidance') return reaching[0];
  return reaching.reduce((best, p) => (p.fid < best.fid ? p : best));
}

export interface CurvePoint {
  /** FID ÷ the real-vs-real floor. */
  ratio: number;
  accuracy: number;
}

/** The points no other point beats on both axes (lower ratio and higher accuracy), by rising ratio. */
export function paretoFront<T extends CurvePoint>(points: T[]): T[] {
  const sorted = [...points].sort((a, b) => a.ratio - b.ratio || b.accuracy - a.accuracy);
  const front: T[] = [];
  for (const p of sorted) if (!front.length || p.accuracy > front[front.length - 1].accuracy) front.push(p);
  return front;
}

/**
 * The accuracy a curve reaches at FID ratio `ratio`: along its Pareto front,
 * linear between neighbouring settings, flat past its last one; null below
 * its lowest ratio (the curve never gets that close to real digits).
 */
export function accuracyAtRatio(points: CurvePoint[], ratio: number): number | null {
  const front = paretoFront(points);
  if (!front.length || ratio < front[0].ratio) return null;
  for (let i = 0; i + 1 < front.length; i++) {
    const [a, b] = [front[i], front[i + 1]];
    if (ratio <= b.ratio) return a.accuracy + ((b.accuracy - a.accuracy) * (ratio - a.ratio)) / (b.ratio - a.ratio);
  }
  return front[front.length - 1].accuracy;
}
