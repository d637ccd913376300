/**
 * Measured generation quality: `npm run eval -- [flags]` (--help lists them).
 *
 * Draws digits through the Worker's own path (the shipped int8 weights via
 * loadWeights, drawDigits, the WASM SIMD backend, the seeded noise) for a grid
 * of samplers, step counts and guidance scales, and scores them with the
 * evaluation classifier (eval/classifier): conditional accuracy, FID against
 * the MNIST test set beside the real-vs-real floor, within-class diversity and
 * the distance to the nearest training digit. Writes reports/eval.json,
 * reports/eval.md and reports/eval-sheet.png; --record merges the headline
 * into weights/manifest.json's metrics.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './train/backend';
import { loadMnist } from './train/mnist';
import { formatDuration, Progress } from './train/progress';
import { EVAL_USAGE, parseEvalArgs, UsageError } from './eval/args';
import { loadClassifier } from './eval/classifier-weights';
import { FEATURE_DIM } from './eval/classifier';
import { configLabel, evalMarkdown, type EvalReport } from './eval/eval-report';
import { generateSet, networkCallsPerDigit, scoreSet, type ConfigResult } from './eval/evaluate';
import { buildGrid } from './eval/grid';
import { loadFp32Checkpoint, loadShippedModel } from './eval/models';
import { buildReferences } from './eval/references';
import { qualityHeadline, recordMetrics } from './eval/record';
import { loadAverage, machineDescription, writeReport } from './eval/reports';
import { sheetBlock, sheetPng } from './eval/sheet';
import type { GreyImage } from '../src/image/png';

async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  const started = performance.now();
  const backend = await initBackend('wasm');
  const shipped = await loadShippedModel(args.weightsDir);
  const fp32 = args.fp32Checkpoint ? loadFp32Checkpoint(args.fp32Checkpoint, shipped) : null;
  const classifier = loadClassifier(args.classifierDir);
  const grid = buildGrid(args, shipped.manifest.sampling, fp32 !== null);
  const digits = args.perClass * 10;
  const work = grid.reduce((n, c) => n + networkCallsPerDigit(c.steps, c.guidance) * digits, 0);
  console.log(`weights ${shipped.manifest.version} · ${grid.length} configurations × ${digits} digits · ${work} network calls · ${backend.device}`);
  if (fp32) console.log(`fp32: ${fp32.checkpoint} step ${fp32.step}${fp32.matchesShippedInt8 ? ' (the source of the shipped int8 weights)' : ' (NOT the source of the shipped int8 weights)'}`);

  console.log('references: classifier on the 10k test digits, FID floor, nearest-neighbour index over the 60k training digits…');
  const refs = await buildReferences(classifier.params, loadMnist('train'), loadMnist('test'), args.perClass, args.seed);
  console.log(`classifier test accuracy ${(100 * refs.classifierTestAccuracy).toFixed(2)}% (recorded ${(100 * classifier.manifest.test.accuracy).toFixed(2)}%) · FID floor ${refs.fidFloor.toFixed(2)} · unseen digits' nearest training digit at ${refs.realNearest.median.toFixed(2)} (median)`);

  // One untimed digit first, so the first configuration's ms/digit does not include kernel set-up.
  await generateSet(shipped, grid[0], 1, args.seed, 1, () => {});

  const progress = new Progress(work, 0);
  const genStarted = performance.now();
  let done = 0;
  const results: ConfigResult[] = [];
  const blocks: GreyImage[] = [];
  for (const cfg of grid) {
    const model = cfg.precision === 'fp32' ? fp32! : shipped;
    const calls = networkCallsPerDigit(cfg.steps, cfg.guidance);
    const set = await generateSet(model, cfg, args.perClass, args.seed, args.batch, (n) =>
      progress.update(done + n * calls, { config: configLabel(cfg) }, (performance.now() - genStarted) / 1000),
    );
    done += digits * calls;
    const result = await scoreSet(cfg, set, classifier.params, refs);
    results.push(result);
    if (args.sheetSamples > 0) blocks.push(sheetBlock(set, args.perClass, args.sheetSamples));
    progress.break();
    console.log(`${configLabel(cfg).padEnd(30)} accuracy ${(100 * result.accuracy).toFixed(1).padStart(5)}% · FID ${result.fid.toFixed(2).padStart(7)} · diversity ${result.diversity.ratio.toFixed(2)} · nearest train ×${result.nearestTrain.medianRatioToReal.toFixed(2)} · ${result.msPerDigit.toFixed(1)} ms/digit`);
  }
  refs.trainIndex.dispose();

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
    weights: { dir: args.weightsDir, version: shipped.manifest.version, sha256: shipped.manifest.binary.sha256, sampling: shipped.manifest.sampling },
    fp32: fp32 ? { checkpoint: fp32.checkpoint, step: fp32.step, matchesShippedInt8: fp32.matchesShippedInt8 } : null,
    classifier: { recordedTestAccuracy: classifier.manifest.test.accuracy, measuredTestAccuracy: refs.classifierTestAccuracy, featureDim: FEATURE_DIM, sha256: classifier.manifest.binary.sha256 },
    settings: {
      perClass: args.perClass,
      digitsPerConfig: digits,
      seed: args.seed,
      batch: args.batch,
      grid: args.full
        ? `full product of steps ${args.steps.join('/')} × ${args.samplers.join('/')} × guidance ${args.guidance.join('/')}`
        : `steps ${args.steps.join('/')} × ${args.samplers.join('/')} at guidance ${shipped.manifest.sampling.defaultGuidance}, plus guidance ${args.guidance.join('/')} at ${shipped.manifest.sampling.defaultSampler} ${shipped.manifest.sampling.defaultSteps} steps${fp32 ? (args.fp32All ? '; fp32 over the whole grid' : '; fp32 over the guidance sweep') : ''}`,
    },
    reference: { fidFloor: refs.fidFloor, realSpread: refs.realSpread, realNearestTrain: refs.realNearest },
    results,
    sheet: { file: blocks.length ? sheetFile : '(none: --sheet-samples 0)', blocks: blocks.length ? grid.map(configLabel) : [] },
  };
  const files = writeReport(args.out, 'eval', report, evalMarkdown(report));
  console.log(`wrote ${files.json}, ${files.markdown}${blocks.length ? ` and ${sheetFile}` : ''} in ${formatDuration(report.wallSeconds)}`);
  if (args.record) console.log(`recorded metrics.quality in ${recordMetrics(args.weightsDir, 'quality', report.weights.version, qualityHeadline(report))}`);
}

main().catch((err) => {
  console.error(`\neval: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(`\n${EVAL_USAGE}`);
  process.exit(1);
});
