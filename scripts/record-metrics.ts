/**
 * Merges already-written reports into the weights manifest's "metrics", for
 * when eval/bench ran without --record:
 *
 *   npx tsx scripts/record-metrics.ts [--weights weights] [--eval reports/eval.json] [--bench reports/bench.json]
 *
 * Each report present is recorded (metrics.quality from eval, metrics.speed
 * from bench), with the figures of the model whose weights version the
 * folder holds; a report that did not measure it is refused. Nothing but
 * "metrics" changes in manifest.json (scripts/eval/record.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchReport } from './bench/bench-report';
import { exitOnHelp } from './cli/help';
import type { EvalReport } from './eval/eval-report';
import { qualityHeadline, recordFor, speedHeadline } from './eval/record';

exitOnHelp(`Usage: npx tsx scripts/record-metrics.ts [--weights DIR] [--eval FILE] [--bench FILE]
  Copies the headline figures of reports already written (npm run eval, npm run bench) into
  DIR/manifest.json's "metrics" (served by GET /model). Nothing else in the manifest changes.
  --weights DIR   the weights folder (default weights)
  --eval FILE     the quality report (default reports/eval.json)
  --bench FILE    the speed report (default reports/bench.json)`);

const { values } = parseArgs({
  options: {
    weights: { type: 'string', default: 'weights' },
    eval: { type: 'string', default: 'reports/eval.json' },
    bench: { type: 'string', default: 'reports/bench.json' },
  },
});

let recorded = 0;
if (fs.existsSync(values.eval!)) {
  const report = JSON.parse(fs.readFileSync(values.eval!, 'utf8')) as EvalReport;
  console.log(`metrics.quality ← ${values.eval} (${report.date}) in ${recordFor(values.weights!, 'quality', report.models, (m) => qualityHeadline(report, m))}`);
  recorded++;
}
if (fs.existsSync(values.bench!)) {
  const report = JSON.parse(fs.readFileSync(values.bench!, 'utf8')) as BenchReport;
  console.log(`metrics.speed ← ${values.bench} (${report.date}) in ${recordFor(values.weights!, 'speed', report.models, (m) => speedHeadline(report, m))}`);
  recorded++;
}
if (!recorded) {
  console.error(`record-metrics: neither ${values.eval} nor ${values.bench} exists; run npm run eval / npm run bench first`);
  process.exit(1);
}
