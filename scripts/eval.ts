/**
 * Measured generation quality: `npm run eval -- [flags]` (--help lists them).
 *
 * Draws digits with the sampler the Worker runs (int8 weights via
 * loadWeights, the WASM SIMD backend, the seeded noise), keeping both the
 * network's raw output and the served bytes, for a grid of samplers, step
 * counts and guidance scales, for every weight set named by --models (the
 * teacher and its distilled students, same seeds, same references). Two
 * kinds of instruments read them: the selection classifier (eval/classifier),
 * which served settings are chosen with, and reporting instruments that
 * choose nothing (eval/reporting-classifier, a different architecture, seed
 * and augmentation; and 14×14 pixel space). In every space: FID with a
 * bootstrap interval and its ratio to a real-vs-real floor within the MNIST
 * test set, KID, precision/recall, density/coverage; accuracy by both
 * classifiers; the grey census of raw and served output; plus diversity, the
 * distance to the nearest training digit, and restyle class transfer.
 * Writes reports/eval.json, reports/eval.md and reports/eval-sheet.png;
 * --record merges each model's headline into its manifest's metrics.
 *
 * `--frontier` runs the guidance frontier instead (scripts/eval/frontier/):
 * settings chosen on selection seeds, reported on reporting seeds, written
 * to reports/frontier.json, .md and .png. `--style` measures style control,
 * imitation and one hand (scripts/eval/style/) into reports/style.json and .md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../src/model/rng';
import { initBackend } from './train/backend';
import { loadMnist } from './train/mnist';
import { formatDuration, Progress } from './train/progress';
import { EVAL_USAGE, parseEvalArgs, UsageError } from './eval/args';
import { configLabel, evalMarkdown, type EvalReport } from './eval/eval-report';
import { generateSet, networkCallsPerDigit, samplerSettings, scoreSet, type ConfigResult, type EvalConfig } from './eval/evaluate';
import { runFrontier } from './eval/frontier/run';
import { runStyle } from './eval/style/run';
import { buildGrid } from './eval/grid';
import { loadFp32Checkpoints, loadModels, summarizeModel } from './eval/models';
import { balancedSubset, buildReferences } from './eval/references';
import { qualityHeadline, recordFor } from './eval/record';
import { reportHeader } from './eval/report-header';
import { writeReport } from './eval/reports';
import { measureRestyle, type RestyleResult } from './eval/restyle';
import { sheetBlock, sheetPng } from './eval/sheet';
import { loadInstruments, scoreSettings } from './eval/instruments';
import { percentWithInterval } from './eval/stats';
import type { Model } from '../src/model/sampler';
import type { GreyImage } from '../src/image/grey';

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  if (args.frontier) return runFrontier(args);
  if (args.style) return runStyle(args);
  const started = performance.now();
  const backend = await initBackend('wasm');
  const models = await loadModels(args.models);
  const fp32 = loadFp32Checkpoints(args.fp32Checkpoints, models);
  const { instruments, manifests } = loadInstruments(args);
  // Each model's grid follows its own served defaults; the rows say which model they measured.
  const runs: { cfg: EvalConfig; model: Model }[] = models.flatMap((m) => {
    const own = fp32.find((f) => f.model === m.name);
    return buildGrid(args, m.manifest.sampling, own !== undefined).map((c) => ({ cfg: { ...c, model: m.name }, model: c.precision === 'fp32' ? own! : m }));
  });
  const digits = args.perClass * 10;
  const callsOf = (r: (typeof runs)[number]) => networkCallsPerDigit(r.model.unet, r.cfg.steps, r.cfg.guidance);
  const work = runs.reduce((n, r) => n + callsOf(r) * digits, 0);
  for (const m of models) console.log(`${m.name}: ${m.dir} · weights ${m.manifest.version} · channels ${m.unet.channels.join('/')}${m.unet.guidanceFeatures ? ' · guidance input' : ''}`);
  console.log(`${runs.length} configurations × ${digits} digits · ${work} network calls · ${backend.device}`);
  for (const f of fp32) console.log(`fp32 ${f.model}: ${f.checkpoint} step ${f.step}${f.matchesShippedInt8 ? ' (the source of its int8 weights)' : ' (NOT the source of its int8 weights)'}`);

  console.log('references: both classifiers on the 10k test digits, test halves per space, real-vs-real floors, nearest-neighbour index over the 60k training digits…');
  const test = loadMnist('test');
  const refs = await buildReferences(instruments, loadMnist('train'), test, args.perClass, args.seed, scoreSettings(args));
  const floor = refs.real.sized(args.perClass);
  console.log(`classifier test accuracy: selection ${(100 * refs.real.testAccuracy.selection).toFixed(2)}%, reporting ${(100 * refs.real.testAccuracy.reporting).toFixed(2)}% · FID floors (${floor.floorDigits} real vs half A): ${floor.floor.map((f) => `${f.space} ${f.fid.toFixed(2)}`).join(', ')} · background ${(100 * refs.real.census.black).toFixed(1)}% exact 0`);

  // One untimed digit per model first, so no model's first configuration's ms/digit includes kernel set-up.
  for (const m of models) await generateSet(m, samplerSettings(runs[0].cfg), 1, args.seed, 1, () => {});

  const progress = new Progress(work, 0);
  const genStarted = performance.now();
  let done = 0;
  const results: ConfigResult[] = [];
  const blocks: GreyImage[] = [];
  for (const run of runs) {
    const calls = callsOf(run);
    const set = await generateSet(run.model, samplerSettings(run.cfg), args.perClass, args.seed, args.batch, (n) =>
      progress.update(done + n * calls, { config: configLabel(run.cfg) }, (performance.now() - genStarted) / 1000),
    );
    done += digits * calls;
    const result = await scoreSet(run.cfg, run.model.unet, set, instruments, refs, args.perClass);
    results.push(result);
    if (args.sheetSamples > 0) blocks.push(sheetBlock(set, args.perClass, args.sheetSamples));
    progress.break();
    const ratios = result.scores.spaces.map((s) => `${s.space} ×${s.fidRatio.toFixed(2)}`).join(' ');
    console.log(`${configLabel(run.cfg).padEnd(40)} accuracy ${percentWithInterval(result.accuracy, result.accuracyInterval).padStart(19)} (reporting ${(100 * result.scores.accuracy.reporting.accuracy).toFixed(1)}%) · FID ${result.fid.toFixed(2).padStart(7)} · ${ratios} · raw black ${(100 * result.scores.census.raw.black).toFixed(1)}% · ${result.msPerDigit.toFixed(1)} ms/digit`);
  }
  refs.trainIndex.dispose();

  const restyle: RestyleResult[] = [];
  if (args.restyle > 0) {
    const sources = balancedSubset(test, Math.ceil(args.restyle / 10), new Rng(args.seed ^ 0x5e0e));
    for (const m of models) {
      console.log(`restyle: ${m.name}, ${sources.count} test digits × strengths ${args.restyleStrengths.join('/')}…`);
      for (const x of await measureRestyle(m, sources, args.restyleStrengths, args.seed, instruments.selection)) {
        restyle.push(x);
        console.log(`${`${x.model} restyle s=${x.strength}`.padEnd(40)} transfer ${(100 * x.transfer).toFixed(1).padStart(5)}% · kept ${(100 * x.kept).toFixed(1)}% · ${x.msPerDigit.toFixed(1)} ms/digit`);
      }
    }
  }

  fs.mkdirSync(args.out, { recursive: true });
  const sheetFile = path.join(args.out, 'eval-sheet.png');
  if (blocks.length) fs.writeFileSync(sheetFile, sheetPng(blocks));
  const selectionFloor = floor.floor.find((f) => f.space === 'selection')!;
  const report: EvalReport = {
    kind: 'eval',
    ...reportHeader(started, backend.device),
    models: models.map(summarizeModel),
    fp32: fp32.map((f) => ({ model: f.model, checkpoint: f.checkpoint, step: f.step, matchesShippedInt8: f.matchesShippedInt8 })),
    classifier: { recordedTestAccuracy: manifests.selection.test.accuracy, measuredTestAccuracy: refs.real.testAccuracy.selection, featureDim: instruments.selection.net.featureDim, sha256: manifests.selection.binary.sha256 },
    reportingClassifier: { recordedTestAccuracy: manifests.reporting.test.accuracy, measuredTestAccuracy: refs.real.testAccuracy.reporting, featureDim: instruments.reporting.net.featureDim, sha256: manifests.reporting.binary.sha256 },
    settings: {
      perClass: args.perClass,
      digitsPerConfig: digits,
      seed: args.seed,
      batch: args.batch,
      grid: args.full
        ? `full product of steps ${args.steps.join('/')} × ${args.samplers.join('/')} × guidance ${args.guidance.join('/')}`
        : `steps ${args.steps.join('/')} × ${args.samplers.join('/')} at the model's default guidance, plus guidance ${args.guidance.join('/')} at its default sampler and steps${fp32.length ? (args.fp32All ? '; fp32 over the whole grid' : '; fp32 over the guidance sweep') : ''}`,
      bootstrap: args.bootstrap,
      kidSubsets: args.kidSubsets,
      kidSubsetSize: args.kidSubsetSize,
      k: args.k,
    },
    reference: {
      fidFloor: selectionFloor.fid,
      floor: floor.floor,
      floorDigits: floor.floorDigits,
      census: refs.real.census,
      realSpread: refs.realSpread,
      realNearestTrain: refs.realNearest,
      realBackgroundShare: refs.real.census.black,
    },
    results,
    restyle,
    sheet: { file: blocks.length ? sheetFile : '(none: --sheet-samples 0)', blocks: blocks.length ? runs.map((r) => configLabel(r.cfg)) : [] },
  };
  const files = writeReport(args.out, 'eval', report, evalMarkdown(report));
  console.log(`wrote ${files.json}, ${files.markdown}${blocks.length ? ` and ${sheetFile}` : ''} in ${formatDuration(report.wallSeconds)}`);
  if (args.record) {
    for (const spec of args.models) console.log(`recorded metrics.quality in ${recordFor(spec.dir, 'quality', report.models, (m) => qualityHeadline(report, m))}`);
  }
}

main().catch((err) => {
  console.error(`\neval: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(`\n${EVAL_USAGE}`);
  process.exit(1);
});
