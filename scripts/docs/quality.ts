/** docs/quality.md's generated blocks, from reports/eval.json: one function per block. */
import { samplingAt } from '../../src/model/sampling-defaults';
import type { EvalReport } from '../eval/eval-report';
import type { ConfigResult } from '../eval/evaluate';
import { architectureLabel } from '../eval/models';
import { fixed, markdownTable } from '../eval/reports';
import { percentWithInterval } from '../eval/stats';
import { day, DEFAULT_SET, percent, servedByVersion, servedFor, type ServedSet } from './reports';

type Row = ConfigResult;

const versionOf = (r: EvalReport, model: string) => r.models.find((m) => m.name === model)!.version;

/** The set that serves this row's request as measured (int8, its step count, its set's default guidance and sampler), if any. */
function servedAs(r: EvalReport, x: Row): ServedSet | undefined {
  const set = servedByVersion(versionOf(r, x.model));
  if (!set || x.precision !== 'int8' || x.steps < set.steps[0] || x.steps > set.steps[1]) return undefined;
  return x.guidance === samplingAt(set.sampling, x.steps).defaultGuidance && x.sampler === set.sampling.defaultSampler ? set : undefined;
}

function roleOf(r: EvalReport, x: Row): string {
  const set = servedAs(r, x);
  if (set) return set.drawsDefaultRequest && x.steps === set.sampling.defaultSteps ? 'the default request' : `\`steps=${x.steps}\``;
  if (x.precision !== 'int8') return `${x.precision} weights (not served)`;
  const served = servedByVersion(versionOf(r, x.model));
  if (served && (x.steps < served.steps[0] || x.steps > served.steps[1])) return `not served at ${x.steps} step${x.steps === 1 ? '' : 's'}`;
  const model = r.models.find((m) => m.name === x.model)!;
  const own = model.sampling;
  if (!served && x.steps === own.defaultSteps && x.guidance === own.defaultGuidance && x.sampler === own.defaultSampler) return 'not served; its own default';
  return 'not served';
}

/** The row a request gets: the served set for `steps`, at its defaults. */
export function servedRow(r: EvalReport, steps: number): Row {
  const set = servedFor(steps);
  const x = r.results.find((row) => row.steps === steps && servedAs(r, row) === set);
  if (!x) throw new Error(`reports/eval.json has no row for steps=${steps} as served now (${set.name} ${set.version}, ${set.sampling.defaultSampler}, guidance ${samplingAt(set.sampling, steps).defaultGuidance}): run npm run eval again`);
  return x;
}

/** The reference model's (the first in the report, the teacher) row at its own defaults. */
export function teacherDefaultRow(r: EvalReport): Row {
  const t = r.models[0];
  const s = t.sampling;
  return r.results.find((x) => x.model === t.name && x.precision === 'int8' && x.steps === s.defaultSteps && x.guidance === s.defaultGuidance && x.sampler === s.defaultSampler)!;
}

const setting = (x: Row) => `${x.sampler}, ${x.steps} step${x.steps === 1 ? '' : 's'}, guidance ${x.guidance}`;
const accuracy = (x: Row) => percentWithInterval(x.accuracy, x.accuracyInterval).replace('%', ' %');

export function qualitySetup(r: EvalReport): string {
  const { settings: s } = r;
  return `Measured on ${day(r.date)} by \`npm run eval\` on ${r.machine} (${Math.round(r.wallSeconds / 60)} min): **${s.digitsPerConfig} digits per row**, ${s.perClass} per class, seeds ${s.seed}-${s.seed + s.digitsPerConfig - 1} in every row, so rows differ only by what drew them. Evaluation classifier: ${fixed(100 * r.classifier.measuredTestAccuracy, 2)} % on the 10,000 MNIST test digits. FID floor (real training digits against the test digits, same count): **${fixed(r.reference.fidFloor, 2)}**. Every figure: [reports/eval.md](../reports/eval.md).`;
}

export function qualityTable(r: EvalReport): string {
  const rows = r.results.map((x) => {
    const model = r.models.find((m) => m.name === x.model)!;
    const bold = (cell: string | number) => (servedAs(r, x) ? `**${cell}**` : String(cell));
    return [
      `${x.model} ${architectureLabel(model.architecture)}`,
      roleOf(r, x),
      x.sampler,
      x.steps,
      x.guidance,
      x.networkCallsPerDigit,
      bold(accuracy(x)),
      bold(fixed(x.fid, 2)),
      fixed(x.diversity.ratio, 2),
      percent(x.backgroundShare),
    ];
  });
  return markdownTable(
    ['weights', 'served as', 'sampler', 'steps', 'guidance', 'network calls', 'accuracy (95 % interval)', 'FID', 'diversity', `background (MNIST ${percent(r.reference.realBackgroundShare)})`],
    rows,
    [false, false, false, true, true, true, true, true, true, true],
  );
}

export function qualityHeadlines(r: EvalReport): string {
  const teacher = teacherDefaultRow(r);
  const deflt = servedRow(r, DEFAULT_SET.sampling.defaultSteps);
  const ten = servedRow(r, 10);
  const one = servedRow(r, 1);
  const teacherOne = r.results.find((x) => x.model === r.models[0].name && x.steps === 1 && x.precision === 'int8');
  const lines = [
    `- **The default request** (${deflt.model}, ${setting(deflt)}): ${accuracy(deflt)}, FID ${fixed(deflt.fid, 2)}.`,
    `- **\`steps=10\`** (${ten.model}, ${setting(ten)}): ${accuracy(ten)}, FID ${fixed(ten.fid, 2)}.`,
    `- **The teacher** at its own default (${setting(teacher)}, ${teacher.networkCallsPerDigit} network calls): ${accuracy(teacher)}, FID ${fixed(teacher.fid, 2)}.`,
    `- **One step** (${one.model}, guidance ${one.guidance}): FID ${fixed(one.fid, 2)}${teacherOne ? `; the teacher's one ${teacherOne.sampler} step: ${fixed(teacherOne.fid, 2)}` : ''}.`,
    ...r.results
      .filter((x) => x.precision !== 'int8')
      .map((f) => {
        const q = r.results.find((x) => x.precision === 'int8' && x.model === f.model && x.sampler === f.sampler && x.steps === f.steps && x.guidance === f.guidance)!;
        return `- **int8 against ${f.precision}** (${f.model}, ${setting(f)}): ${percent(q.accuracy)} against ${percent(f.accuracy)}, FID ${fixed(q.fid, 2)} against ${fixed(f.fid, 2)}.`;
      }),
  ];
  return lines.join('\n');
}

export function restyleTable(r: EvalReport): string {
  if (!r.restyle.length) return '_This eval ran without the restyle measurement (`--restyle 0`)._';
  return markdownTable(
    ['weights', 'strength', 'sampler', 'steps', 'guidance', 'class changed to the target', 'still read as the source'],
    r.restyle.map((x) => [x.model, x.strength, x.sampler, x.steps, x.guidance, percent(x.transfer, 0), percent(x.kept, 0)]),
    [false, true, false, true, true, true, true],
  );
}
