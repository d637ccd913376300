/**
 * Measured generation quality: `npm run eval -- [flags]` (--help lists them).
 *
 * Draws digits through the Worker's own path (int8 weights via loadWeights,
 * drawDigits, the WASM SIMD backend, the seeded noise) for a grid of
 * samplers, step counts and guidance scales, for every weight set named by
 * --models (the teacher and its distilled students, same seeds, same
 * references), and scores them with the evaluation classifier
 * (eval/classifier): conditional accuracy, FID against the MNIST test set
 * beside the real-vs-real floor, within-class diversity, the distance to the
 * nearest training digit and the share of exactly-black background pixels;
 * then restyles real test digits toward other classes and reads the result.
 * Writes reports/eval.json, reports/eval.md and reports/eval-sheet.png;
 * --record merges each model's headline into its manifest's metrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../src/model/rng';
import { initBackend } from './train/backend';
import { loadMnist } from './train/mnist';
import { formatDuration, Progress } from './train/progress';
import { EVAL_USAGE, parseEvalArgs, UsageError } from './eval/args';
import { loadClassifier } from './eval/classifier-weights';
import { FEATURE_DIM } from './eval/classifier';
import { configLabel, evalMarkdown, type EvalReport } from './eval/eval-report';
import { generateSet, networkCallsPerDigit, scoreSet, type ConfigResult, type EvalConfig } from './eval/evaluate';
import { buildGrid } from './eval/grid';
import { loadFp32Checkpoints, loadModels, summarizeModel } from './eval/models';
import { balancedSubset, buildReferences } from './eval/references';
import { qualityHeadline, recordFor } from './eval/record';
import { loadAverage, machineDescription, writeReport } from './eval/reports';
import { measureRestyle, type RestyleResult } from './eval/restyle';
import { sheetBlock, sheetPng } from './eval/sheet';
import { percentWithInterval } from './eval/stats';
import type { Model } from '../src/model/sampler';
import type { GreyImage } from '../src/image/grey';

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  const started = performance.now();
  const backend = await initBackend('wasm');
  const models = await loadModels(args.models);
  const fp32 = loadFp32Checkpoints(args.fp32Checkpoints, models);
  const classifier = loadClassifier(args.classifierDir);
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

  console.log('references: classifier on the 10k test digits, FID floor, nearest-neighbour index over the 60k training digits…');
  const test = loadMnist('test');
  const refs = await buildReferences(classifier.params, loadMnist('train'), test, args.perClass, args.seed);
  console.log(`classifier test accuracy ${(100 * refs.classifierTestAccuracy).toFixed(2)}% (recorded ${(100 * classifier.manifest.test.accuracy).toFixed(2)}%) · FID floor ${refs.fidFloor.toFixed(2)} · unseen digits' nearest training digit at ${refs.realNearest.median.toFixed(2)} (median) · background ${(100 * refs.realBackgroundShare).toFixed(1)}% exact 0`);

  // One untimed digit per model first, so no model's first configuration's ms/digit includes kernel set-up.
  for (const m of models) await generateSet(m, runs[0].cfg, 1, args.seed, 1, () => {});

  const progress = new Progress(work, 0);
  const genStarted = performance.now();
  let done = 0;
  const results: ConfigResult[] = [];
  const blocks: GreyImage[] = [];
  for (const run of runs) {
    const calls = callsOf(run);
    const set = await generateSet(run.model, run.cfg, args.perClass, args.seed, args.batch, (n) =>
      progress.update(done + n * calls, { config: configLabel(run.cfg) }, (performance.now() - genStarted) / 1000),
    );
    done += digits * calls;
    const result = await scoreSet(run.cfg, run.model.unet, set, classifier.params, refs);
    results.push(result);
    if (args.sheetSamples > 0) blocks.push(sheetBlock(set, args.perClass, args.sheetSamples));
    progress.break();
    console.log(`${configLabel(run.cfg).padEnd(40)} accuracy ${percentWithInterval(result.accuracy, result.accuracyInterval).padStart(19)} · FID ${result.fid.toFixed(2).padStart(7)} · diversity ${result.diversity.ratio.toFixed(2)} · nearest train ×${result.nearestTrain.medianRatioToReal.toFixed(2)} · background ${(100 * result.backgroundShare).toFixed(1)}% · ${result.msPerDigit.toFixed(1)} ms/digit`);
  }
  refs.trainIndex.dispose();

  const restyle: RestyleResult[] = [];
  if (args.restyle > 0) {
    const sources = balancedSubset(test, Math.ceil(args.restyle / 10), new Rng(args.seed ^ 0x5e0e));
    for (const m of models) {
      console.log(`restyle: ${m.name}, ${sources.count} test digits × strengths ${args.restyleStrengths.join('/')}…`);
      for (const x of await measureRestyle(m, sources, args.restyleStrengths, args.seed, classifier.params)) {
        restyle.push(x);
        console.log(`${`${x.model} restyle s=${x.strength}`.padEnd(40)} transfer ${(100 * x.transfer).toFixed(1).padStart(5)}% · kept ${(100 * x.kept).toFixed(1)}% · ${x.msPerDigit.toFixed(1)} ms/digit`);
      }
    }
  }

  fs.mkdirSync(args.out, { recursive: true });
  const sheetFile = path.join(args.out, 'eval-sheet.png');
  if (blocks.length) fs.writeFileSync(sheetFile, sheetPng(blocks));
  const report: EvalReport = {
    kind: 'eval',
    date: new Date().toISOString(),
    machine: machineDescription(),
    loadAverage: loadAverage(),
    wallSeconds: (performance.now() - started) / 1000,
    backend: `tfjs ${tf.getBackend()} (${backend.device})`,
    models: models.map(summarizeModel),
    fp32: fp32.map((f) => ({ model: f.model, checkpoint: f.checkpoint, step: f.step, matchesShippedInt8: f.matchesShippedInt8 })),
    classifier: { recordedTestAccuracy: classifier.manifest.test.accuracy, measuredTestAccuracy: refs.classifierTestAccuracy, featureDim: FEATURE_DIM, sha256: classifier.manifest.binary.sha256 },
    settings: {
      perClass: args.perClass,
      digitsPerConfig: digits,
      seed: args.seed,
      batch: args.batch,
      grid: args.full
        ? `full product of steps ${args.steps.join('/')} × ${args.samplers.join('/')} × guidance ${args.guidance.join('/')}`
        : `steps ${args.steps.join('/')} × ${args.samplers.join('/')} at the model's default guidance, plus guidance ${args.guidance.join('/')} at its default sampler and steps${fp32.length ? (args.fp32All ? '; fp32 over the whole grid' : '; fp32 over the guidance sweep') : ''}`,
    },
    reference: { fidFloor: refs.fidFloor, realSpread: refs.realSpread, realNearestTrain: refs.realNearest, realBackgroundShare: refs.realBackgroundShare },
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
