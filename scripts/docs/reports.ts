/**
 * The reports the documentation's figures come from, and what the served
 * weights are, so a table can say which row a request gets. A report that
 * did not measure the weights now served leaves those rows unlabelled: the
 * docs then say so instead of passing old figures off as current.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SERVED_SETS } from '../../src/model/served-sets';
import { stepRanges } from '../../src/model/weight-sets';
import type { Manifest } from '../../src/model/weights';
import type { BenchReport } from '../bench/bench-report';
import type { EvalReport } from '../eval/eval-report';
import type { FrontierReport } from '../eval/frontier/report';
import type { StyleReport } from '../eval/style/report';

export interface Reports {
  eval: EvalReport;
  /** The guidance frontier (npm run eval -- --frontier): every model in every space. */
  frontier: FrontierReport;
  /** Style control, imitation and one hand (npm run eval -- --style). */
  style: StyleReport;
  bench: BenchReport;
  /** The widths-and-pruning runs of 2026-12-02 (docs/history.md). */
  widths: { eval: EvalReport; bench: BenchReport };
}

export function loadReports(dir = 'reports'): Reports {
  const read = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
  return { eval: read('eval.json'), frontier: read('frontier.json'), style: read('style.json'), bench: read('bench.json'), widths: { eval: read('widths/eval.json'), bench: read('widths/bench.json') } };
}

export interface ServedSet {
  name: string;
  version: string;
  steps: [number, number];
  sampling: Manifest['sampling'];
  /** The first set: it draws a request without `steps`. */
  drawsDefaultRequest: boolean;
}

/** The weight sets the Worker serves now (src/model/served-sets.ts), with the step counts each draws. */
export const SERVED: ServedSet[] = (() => {
  const manifests = SERVED_SETS.map((s) => s.manifest);
  const ranges = stepRanges(manifests);
  return manifests.map((m, i) => ({ name: m.name!, version: m.version, steps: ranges[i], sampling: m.sampling, drawsDefaultRequest: i === 0 }));
})();

export const servedByVersion = (version: string) => SERVED.find((s) => s.version === version);

/** The served set that draws a plain request of `steps` steps. */
export const servedFor = (steps: number) => SERVED.find((s) => !s.sampling.hand && steps >= s.steps[0] && steps <= s.steps[1])!;

export const DEFAULT_SET = SERVED[0];

/** 2026-12-03T07:32:02.168Z → 2026-12-03 */
export const day = (iso: string) => iso.slice(0, 10);

export const percent = (share: number, digits = 1) => `${(100 * share).toFixed(digits)} %`;

/** A report's row for a model version, or an error that says which report to re-run. */
export function modelIn<T extends { version: string; name: string }>(models: T[], version: string, report: string): T {
  const model = models.find((m) => m.version === version);
  if (!model) throw new Error(`${report} did not measure the served weights ${version}: run it again (docs/quality.md and docs/speed.md say how)`);
  return model;
}
