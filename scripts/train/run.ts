/**
 * The loop both offline scripts share (train-gpu.ts trains, distill.ts distils):
 * run folder, JSONL log, progress bar, atomic checkpoints every N steps and on
 * Ctrl-C, exact --resume, a held-out loss and a sample sheet per epoch, and the
 * int8 export at the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../../src/image/png';
import type { Model } from '../../src/model/sampler';
import { flopsPerImage, parameterCount } from '../../src/model/unet';
import type { Manifest } from '../../src/model/weights';
import { UsageError, type TrainArgs } from './args';
import type { BackendInfo } from './backend';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { Digits } from './mnist';
import { formatDuration, Progress } from './progress';
import { sampleSheet } from './sheet';
import { NonFiniteLossError, type Trainer } from './trainer';

export interface RunFacts {
  args: TrainArgs;
  backend: BackendInfo;
  runDir: string;
  /** Where the weights go: --out, or the run folder's weights/. */
  out: string;
  wallSeconds: number;
  finalLoss: number;
  gitCommit: string;
}

export interface RunSpec {
  trainer: Trainer;
  args: TrainArgs;
  backend: BackendInfo;
  /** What else a checkpoint must agree on to be resumed (e.g. the teacher's weights version). */
  identity?: Record<string, unknown>;
  /** Held-out loss of the EMA weights, logged after every epoch. */
  heldOut: (model: Model) => Promise<number>;
  /** Writes the weights at the end; returns the manifest written. */
  exportWeights: (facts: RunFacts) => Promise<Manifest>;
}

export async function runTraining(spec: RunSpec): Promise<void> {
  const { trainer, args } = spec;
  const commit = gitCommit(); // the code the run starts with, recorded in the weights' provenance
  const runDir = resolveRunDir(args);
  // One appendFileSync per record: a crash or kill -9 loses no line that was logged.
  const logFile = path.join(runDir, 'train.jsonl');
  const log = (record: object) => fs.appendFileSync(logFile, JSON.stringify(record) + '\n');
  const identity = spec.identity ?? {};

  let wallBefore = 0;
  if (args.resume) {
    const ckpt = loadCheckpoint(runDir);
    if (!ckpt) throw new UsageError(`--resume: no checkpoint in ${runDir}`);
    if (JSON.stringify(ckpt.header.recipe) !== JSON.stringify(args.recipe)) {
      throw new UsageError(`--resume: the flags differ from the run's (${JSON.stringify(ckpt.header.recipe)}); pass the same ones`);
    }
    if (JSON.stringify(ckpt.header.unet) !== JSON.stringify(trainer.unet) || JSON.stringify(ckpt.header.identity ?? {}) !== JSON.stringify(identity)) {
      throw new UsageError(`--resume: the run was ${JSON.stringify({ unet: ckpt.header.unet, ...ckpt.header.identity })}, not ${JSON.stringify({ unet: trainer.unet, ...identity })}`);
    }
    trainer.restore(ckpt.snapshot);
    wallBefore = ckpt.header.wallSeconds;
    console.log(`resumed ${runDir} at step ${trainer.step}`);
  }
  console.log(
    `model: ${parameterCount(trainer.unet)} parameters, ${(flopsPerImage(trainer.unet) / 1e6).toFixed(1)} MFLOP per image · ` +
      `${trainer.stepsPerEpoch * args.recipe.batchSize} images · ${trainer.stepsPerEpoch} steps/epoch × ${args.recipe.epochs} epochs · run folder ${runDir}`,
  );

  const lastStep = Math.min(trainer.totalSteps, args.maxSteps ?? Infinity);
  const started = performance.now();
  const wall = () => wallBefore + (performance.now() - started) / 1000;
  const checkpoint = async () => saveCheckpoint(runDir, await trainer.snapshot(), { recipe: args.recipe, unet: trainer.unet, identity, wallSeconds: wall() });
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave now
    interrupted = true;
  });

  const progress = new Progress(lastStep, trainer.step);
  const stepAtStart = trainer.step;
  let smoothLoss = NaN;
  let lastLoss = NaN;
  while (trainer.step < lastStep && !interrupted) {
    let stats;
    try {
      stats = await trainer.trainStep();
    } catch (err) {
      if (err instanceof NonFiniteLossError) {
        progress.break();
        throw new Error(`${err.message}. Stopped; the last good checkpoint in ${runDir} is kept (resume with a lower --lr).`);
      }
      throw err;
    }
    lastLoss = stats.loss;
    smoothLoss = Number.isNaN(smoothLoss) ? stats.loss : 0.98 * smoothLoss + 0.02 * stats.loss;
    log({ step: trainer.step, epoch: trainer.epoch, loss: stats.loss, lr: stats.lr, gradNorm: stats.gradNorm, wall: +wall().toFixed(1) });
    const imagesPerS = ((trainer.step - stepAtStart) * args.recipe.batchSize) / ((performance.now() - started) / 1000);
    progress.update(trainer.step, {
      epoch: `${Math.min(trainer.epoch + 1, args.recipe.epochs)}/${args.recipe.epochs}`,
      loss: smoothLoss.toFixed(4),
      lr: stats.lr.toExponential(2),
      'img/s': imagesPerS.toFixed(0),
    }, (performance.now() - started) / 1000);

    if (trainer.step % args.checkpointEvery === 0) await checkpoint();
    // The step itself only awaits promises (microtasks); give the event loop a turn so Ctrl-C is seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (trainer.step % trainer.stepsPerEpoch === 0) await endOfEpoch(spec, runDir, log, progress);
  }
  await checkpoint();
  progress.break();
  if (interrupted) {
    console.log(`interrupted at step ${trainer.step}; checkpoint saved. Continue with: --resume --run-dir ${runDir}`);
    process.exit(130);
  }
  console.log(`trained ${trainer.step} steps in ${formatDuration(wall())}`);
  if (args.export) {
    const out = args.out ?? path.join(runDir, 'weights');
    const manifest = await spec.exportWeights({ args, backend: spec.backend, runDir, out, wallSeconds: wall(), finalLoss: smoothLoss || lastLoss, gitCommit: commit });
    console.log(`exported ${out}/manifest.json (version ${manifest.version}) and ${manifest.binary.file} (${manifest.binary.bytes} bytes)`);
  }
  trainer.dispose();
}

async function endOfEpoch(spec: RunSpec, runDir: string, log: (record: object) => void, progress: Progress) {
  const { trainer, args } = spec;
  const epoch = trainer.step / trainer.stepsPerEpoch;
  const model = { params: trainer.emaParams(), unet: trainer.unet, schedule: trainer.schedule };
  const validation = await spec.heldOut(model);
  log({ step: trainer.step, epoch, heldOutLoss: validation });
  progress.break();
  let sheetNote = '';
  if (args.sheets) {
    const file = path.join(runDir, `sheet-epoch-${String(epoch).padStart(2, '0')}.png`);
    fs.writeFileSync(file, encodePng(await sampleSheet(model, { seeds: 8, steps: 10, guidance: 2, sampler: 'dpmpp' })));
    sheetNote = ` · sheet ${file}`;
  }
  console.log(`epoch ${epoch}: held-out loss (EMA weights, 512 test digits) ${validation.toFixed(4)}${sheetNote} · tensors ${tf.memory().numTensors}`);
}

/** The first `n` digits of a set (quick runs and tests). */
export function limit(data: Digits, n: number | null): Digits {
  if (n === null || n >= data.count) return data;
  return { images: data.images.subarray(0, n * 784), labels: data.labels.subarray(0, n), count: n };
}

function resolveRunDir(args: TrainArgs): string {
  let dir = args.runDir;
  if (!dir && args.resume) {
    const runs = fs.existsSync('runs') ? fs.readdirSync('runs').filter((d) => fs.existsSync(path.join('runs', d, 'checkpoint.ckpt'))).sort() : [];
    if (!runs.length) throw new UsageError('--resume: no run with a checkpoint under runs/');
    dir = path.join('runs', runs[runs.length - 1]);
  }
  dir ??= path.join('runs', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** Runs an offline script's main, printing usage on a flag error. */
export function runMain(name: string, usage: string, main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(`\n${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) console.error(`\n${usage}`);
    process.exit(1);
  });
}
