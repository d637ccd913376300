/** Training: the loss goes down, and a resumed run is the uninterrupted run. */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../scripts/train/checkpoint';
import { loadMnist, type Digits } from '../scripts/train/mnist';
import { DEFAULT_RECIPE, Trainer, type Recipe } from '../scripts/train/trainer';
import { DEFAULT_SCHEDULE, NoiseSchedule } from '../src/model/schedule';
import { DEFAULT_UNET } from '../src/model/unet';
import { loadWeights } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';

let data: Digits;
beforeAll(async () => {
  await useWasm();
  const all = loadMnist('train');
  data = { images: all.images.subarray(0, 512 * 784), labels: all.labels.subarray(0, 512), count: 512 };
});

const recipe: Recipe = { ...DEFAULT_RECIPE, batchSize: 32, epochs: 4, warmupSteps: 5, lr: 2e-3, dropout: 0.1 };
const newTrainer = () => new Trainer(recipe, DEFAULT_UNET, new NoiseSchedule(DEFAULT_SCHEDULE), data);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/**
 * The three slowest tests below took 33-35 s each here with two workers (issue 8), and 50-89 s
 * while other jobs loaded this 2-core machine to a load average of 9: the suite's 60 s default was
 * too tight. 150 s (4× the two-worker time) still fails a hang within three minutes.
 */
const SLOW_TRAINING_TIMEOUT_MS = 150_000;

describe('Trainer', () => {
  it('lowers the loss on a few hundred digits', async () => {
    const trainer = newTrainer();
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push((await trainer.trainStep()).loss);
    trainer.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-8))).toBeLessThan(0.8 * mean(losses.slice(0, 8)));
  }, SLOW_TRAINING_TIMEOUT_MS);

  it('resumes from a checkpoint to exactly the parameters of an uninterrupted run', async () => {
    const straight = newTrainer();
    for (let i = 0; i < 6; i++) await straight.trainStep();
    const expected = await straight.snapshot();
    straight.dispose();

    const first = newTrainer();
    for (let i = 0; i < 3; i++) await first.trainStep();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
    saveCheckpoint(dir, await first.snapshot(), { recipe, unet: DEFAULT_UNET, wallSeconds: 1 });
    first.dispose();

    const resumed = newTrainer();
    resumed.restore(loadCheckpoint(dir)!.snapshot);
    for (let i = 0; i < 3; i++) await resumed.trainStep();
    const got = await resumed.snapshot();
    resumed.dispose();

    expect(got.step).toBe(6);
    for (const group of ['params', 'm', 'v', 'ema'] as const) {
      for (const [name, values] of Object.entries(expected.groups[group])) {
        const diff = Math.max(...values.map((v, i) => Math.abs(v - got.groups[group][name][i])));
        expect(diff, `${group}/${name}`).toBeLessThan(1e-6);
      }
    }
  });
});

describe('npm run train (the CLI)', () => {
  const cli = (args: string[]) =>
    execFileSync('npx', ['tsx', 'scripts/train-gpu.ts', '--backend', 'wasm', '--limit', '256', '--batch', '32', '--epochs', '2', '--no-sheets', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('stops, resumes and exports the same weights as an uninterrupted run', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-cli-'));
    cli(['--max-steps', '10', '--run-dir', `${tmp}/a`, '--out', `${tmp}/a-weights`]);
    cli(['--max-steps', '5', '--run-dir', `${tmp}/b`, '--no-export']);
    const out = cli(['--resume', '--max-steps', '10', '--run-dir', `${tmp}/b`, '--out', `${tmp}/b-weights`]);
    expect(out).toContain('resumed');
    expect(fs.readFileSync(`${tmp}/b-weights/model.bin`).equals(fs.readFileSync(`${tmp}/a-weights/model.bin`))).toBe(true);

    // The export is what the Worker loads, with its provenance.
    const bin = fs.readFileSync(`${tmp}/a-weights/model.bin`);
    const { manifest } = await loadWeights(JSON.parse(fs.readFileSync(`${tmp}/a-weights/manifest.json`, 'utf8')), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length));
    expect(manifest.provenance).toMatchObject({ backend: 'wasm', steps: 10 });
    expect((manifest.metrics as { quantization: { relativeRms: number } }).quantization.relativeRms).toBeLessThan(0.05);
    const log = fs.readFileSync(`${tmp}/a/train.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((l) => 'loss' in l)).toHaveLength(10);
    expect(log.some((l) => 'heldOutLoss' in l)).toBe(true);
  }, SLOW_TRAINING_TIMEOUT_MS);

  it('saves a checkpoint on Ctrl-C, survives kill -9, and resumes to the same weights', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-signal-'));
    cli(['--max-steps', '10', '--run-dir', `${tmp}/straight`, '--out', `${tmp}/straight-weights`]);
    const expected = fs.readFileSync(`${tmp}/straight-weights/model.bin`);

    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const run = `${tmp}/${signal}`;
      // One process (node --import tsx), so the signal reaches the training loop itself.
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/train-gpu.ts', '--backend', 'wasm', '--limit', '256', '--batch', '32', '--epochs', '2', '--no-sheets', '--max-steps', '10', '--checkpoint-every', '2', '--run-dir', run, '--no-export'], { stdio: 'ignore' });
      // A timed-out test would otherwise leave the child training on, orphaned.
      onTestFinished(() => void child.kill('SIGKILL'));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Interrupt mid-run: after the 5th logged step.
      while (!fs.existsSync(`${run}/train.jsonl`) || fs.readFileSync(`${run}/train.jsonl`, 'utf8').split('\n').length <= 5) {
        // A child that died early must fail the test now, not spin here until the timeout.
        expect(child.exitCode, `${signal}: training exited before it was interrupted`).toBeNull();
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      const code = await exited;
      const saved = loadCheckpoint(run)!.header.step;
      if (signal === 'SIGINT') {
        expect(code).toBe(130);
        expect(saved).toBeGreaterThanOrEqual(5); // saved on the way out
      } else {
        expect(saved).toBeGreaterThanOrEqual(4); // at most one checkpoint interval lost
      }
      expect(saved).toBeLessThan(10);
      cli(['--resume', '--max-steps', '10', '--run-dir', run, '--out', `${run}-weights`]);
      expect(fs.readFileSync(`${run}-weights/model.bin`).equals(expected), signal).toBe(true);
    }
  }, SLOW_TRAINING_TIMEOUT_MS);

  // The threaded build needs two cores: the binary caps its pool at the machine's core count.
  it.skipIf(os.availableParallelism() < 2)('trains to the same bytes on 2 threads as on 1 (--threads 2)', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-threads-'));
    for (const threads of ['1', '2']) cli(['--max-steps', '4', '--threads', threads, '--run-dir', `${tmp}/run-${threads}`, '--out', `${tmp}/weights-${threads}`]);
    const manifest = (threads: string) => JSON.parse(fs.readFileSync(`${tmp}/weights-${threads}/manifest.json`, 'utf8'));
    expect(manifest('1').provenance.adapter).toBe('tfjs-backend-wasm-simd.wasm, 1 thread');
    expect(manifest('2').provenance.adapter).toBe('tfjs-backend-wasm-threaded-simd.wasm, 2 threads');
    // XNNPACK splits each op's output between the threads; every output is summed in the same order either way.
    expect(fs.readFileSync(`${tmp}/weights-2/model.bin`).equals(fs.readFileSync(`${tmp}/weights-1/model.bin`))).toBe(true);
  }, SLOW_TRAINING_TIMEOUT_MS);

  it('trains and exports a network of the widths --channels names, and resumes only at those widths', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-width-'));
    cli(['--channels', '8,12,16', '--max-steps', '2', '--run-dir', `${tmp}/run`, '--out', `${tmp}/weights`]);
    const manifest = JSON.parse(fs.readFileSync(`${tmp}/weights/manifest.json`, 'utf8'));
    expect(manifest.architecture.channels).toEqual([8, 12, 16]);
    expect(() => cli(['--resume', '--max-steps', '3', '--run-dir', `${tmp}/run`, '--no-export'])).toThrow(/--resume: the run was/);
  }, SLOW_TRAINING_TIMEOUT_MS);

  it('rejects bad flags with a usage message', () => {
    expect(() => cli(['--channels', '16,32'])).toThrow(/--channels must be three integers/);
    expect(() => cli(['--lr', 'fast'])).toThrow(/--lr must be a number/);
    expect(() => cli(['--threads', '0'])).toThrow(/--threads must be an integer ≥ 1/);
  });
});
