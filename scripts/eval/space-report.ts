/** Table cells shared by eval.md and frontier.md: a set's scores in one space, and a grey census. */
import type { GreyCensus } from './census';
import type { SpaceScore } from './space-scores';
import { fixed } from './reports';

export const SPACE_COLUMNS = ['FID (95% CI)', '× floor', 'KID ± std', 'precision', 'recall', 'density', 'coverage'];

/** Three significant digits: KID's scale differs by orders of magnitude between spaces. */
export function significant(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(3)).toString() : '–';
}

export function spaceCells(s: SpaceScore): string[] {
  return [
    `${fixed(s.fid, 2)} (${fixed(s.fidInterval.lo, 2)}-${fixed(s.fidInterval.hi, 2)})`,
    fixed(s.fidRatio, 2),
    `${significant(s.kid.mean)} ± ${significant(s.kid.std)}`,
    fixed(s.manifold.precision, 3),
    fixed(s.manifold.recall, 3),
    fixed(s.manifold.density, 3),
    fixed(s.manifold.coverage, 3),
  ];
}

export const CENSUS_COLUMNS = ['black (0)', 'faint 1-32', 'faint on rims', 'black beside ink'];

export function censusCells(c: GreyCensus): string[] {
  const percent = (share: number | undefined, digits: number, none: string) => (share !== undefined && Number.isFinite(share) ? `${fixed(100 * share, digits)}%` : none);
  // blackBesideInk is absent from reports written before it was measured.
  return [percent(c.black, 1, '–'), percent(c.faint, 2, '–'), percent(c.faintTouchingInk, 1, '– (none faint)'), percent(c.blackBesideInk, 1, '–')];
}

/** What the rows of a space table mean, once per report. */
export function spaceLegend(bootstrap: number, kidSubsets: number, k: number): string {
  return `- **FID** against test half A (5000 digits), with a 95 % normal bootstrap interval, FID ± 1.96 × the standard deviation of ${bootstrap} resamples of the scored digits (the reference held fixed; resampling's own upward bias is left out, as the floor shares it); **× floor** divides it by the FID of real digits (the same number from test half B, class-balanced) against the same half A: 1.00 is as real as real digits at this sample size.
- **KID**: unbiased squared MMD with the cubic polynomial kernel against a class-balanced sample of half A of the same size, mean ± standard deviation over ${kidSubsets} subsets (each at most half of either set); real-vs-real reads ≈ 0.
- **precision / recall** (Kynkäänniemi et al. 2019) and **density / coverage** (Naeem et al. 2020) with k = ${k} nearest-neighbour balls, against that same real sample: precision = realism, recall = how much of real variety is reached.`;
}
