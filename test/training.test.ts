/** Training: the loss goes down, and a resumed run is the uninterrupted run. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

describe('Trainer', () => {
  it('lowers the loss on a few hundred digits', async () => {
    const trainer = newTrainer();
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push((await trainer.trainStep()).loss);
    trainer.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-8))).toBeLessThan(0.8 * mean(losses.slice(0, 8)));
  });

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
  });

  it('rejects bad flags with a usage message', () => {
    expect(() => cli(['--lr', 'fast'])).toThrow(/--lr must be a number/);
  });
});
