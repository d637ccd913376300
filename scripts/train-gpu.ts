/**
 * Trains the class-conditional diffusion model on MNIST and exports int8 weights.
 *
 *   npm run train:gpu -- [flags]   WebGPU (Dawn/Vulkan); refuses software adapters
 *   npm run train -- [flags]       the same on the CPU (tfjs WASM SIMD)
 *
 * A run folder (runs/<date-time>/) collects train.jsonl (loss, learning rate,
 * held-out loss), a sample sheet per epoch and checkpoint.ckpt; Ctrl-C saves a
 * checkpoint and `--resume` continues exactly where the run stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../src/image/png';
import { NoiseSchedule, DEFAULT_SCHEDULE } from '../src/model/schedule';
import { DEFAULT_UNET, flopsPerImage, parameterCount } from '../src/model/unet';
import { parseTrainArgs, UsageError, USAGE, type TrainArgs } from './train/args';
import { initBackend } from './train/backend';
import { loadCheckpoint, saveCheckpoint } from './train/checkpoint';
import { exportTrained } from './train/finish';
import { loadMnist, type Digits } from './train/mnist';
import { heldOutLoss } from './train/held-out';
import { formatDuration, Progress } from './train/progress';
import { sampleSheet } from './train/sheet';
import { NonFiniteLossError, Trainer } from './train/trainer';

async function main(): Promise<void> {
  const args = parseTrainArgs(process.argv.slice(2));
  const commit = gitCommit(); // the code the run starts with, recorded in the weights' provenance
  const backend = await initBackend(args.backend, { allowSoftwareGpu: args.allowSoftwareGpu });
  console.log(`backend: ${backend.name} (${backend.device})`);

  const train = limit(loadMnist('train'), args.limit);
  const test = loadMnist('test');
  const schedule = new NoiseSchedule(DEFAULT_SCHEDULE);
  const trainer = new Trainer(args.recipe, DEFAULT_UNET, schedule, train);
  const runDir = resolveRunDir(args);
  // One appendFileSync per record: a crash or kill -9 loses no line that was logged.
  const logFile = path.join(runDir, 'train.jsonl');
  const log = (record: object) => fs.appendFileSync(logFile, JSON.stringify(record) + '\n');

  let wallBefore = 0;
  if (args.resume) {
    const ckpt = loadCheckpoint(runDir);
    if (!ckpt) throw new UsageError(`--resume: no checkpoint in ${runDir}`);
    if (JSON.stringify(ckpt.header.recipe) !== JSON.stringify(args.recipe)) {
      throw new UsageError(`--resume: the flags differ from the run's (${JSON.stringify(ckpt.header.recipe)}); pass the same ones`);
    }
    trainer.restore(ckpt.snapshot);
    wallBefore = ckpt.header.wallSeconds;
    console.log(`resumed ${runDir} at step ${trainer.step}`);
  }
  console.log(
    `model: ${parameterCount(DEFAULT_UNET)} parameters, ${(flopsPerImage(DEFAULT_UNET) / 1e6).toFixed(1)} MFLOP per image · ` +
      `${train.count} images · ${trainer.stepsPerEpoch} steps/epoch × ${args.recipe.epochs} epochs · run folder ${runDir}`,
  );

  const lastStep = Math.min(trainer.totalSteps, args.maxSteps ?? Infinity);
  const started = performance.now();
  const wall = () => wallBefore + (performance.now() - started) / 1000;
  const checkpoint = async () => saveCheckpoint(runDir, await trainer.snapshot(), { recipe: args.recipe, unet: DEFAULT_UNET, wallSeconds: wall() });
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
    if (trainer.step % trainer.stepsPerEpoch === 0) await endOfEpoch(trainer, test, runDir, args, log, progress);
  }
  await checkpoint();
  progress.break();
  if (interrupted) {
    console.log(`interrupted at step ${trainer.step}; checkpoint saved. Continue with: --resume --run-dir ${runDir}`);
    process.exit(130);
  }
  console.log(`trained ${trainer.step} steps in ${formatDuration(wall())}`);
  if (args.export) {
    const manifest = await exportTrained(trainer, { args, backend, runDir, wallSeconds: wall(), finalLoss: smoothLoss || lastLoss, gitCommit: commit });
    console.log(`exported ${args.out}/manifest.json (version ${manifest.version}) and ${manifest.binary.file} (${manifest.binary.bytes} bytes)`);
  }
  trainer.dispose();
}

async function endOfEpoch(trainer: Trainer, test: Digits, runDir: string, args: TrainArgs, log: (record: object) => void, progress: Progress) {
  const epoch = trainer.step / trainer.stepsPerEpoch;
  const model = { params: trainer.emaParams(), unet: trainer.unet, schedule: trainer.schedule };
  const validation = await heldOutLoss(model, test, 512);
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

function limit(data: Digits, n: number | null): Digits {
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

main().catch((err) => {
  console.error(`\ntrain: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof UsageError) console.error(`\n${USAGE}`);
  process.exit(1);
});

