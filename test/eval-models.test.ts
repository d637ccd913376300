/** Naming, loading and matching the weight sets `npm run eval` and `npm run bench` compare. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guidanceLabel, loadFp32Checkpoints, loadModels, parseModelList, summarizeModel, type NamedModel } from '../scripts/eval/models';
import { CHECKPOINT_FILE, saveCheckpoint } from '../scripts/train/checkpoint';
import { exportWeights } from '../scripts/train/export';
import { DEFAULT_RECIPE, initialParams } from '../scripts/train/trainer';
import { Rng } from '../src/model/rng';
import { paramSpecs, type UNetConfig } from '../src/model/unet';
import { useWasm } from './helpers/node-backend';

describe('--models', () => {
  it('reads name=dir pairs, names a bare folder after itself, and refuses a name given twice', () => {
    expect(parseModelList('teacher=weights/teacher, student=runs/s/weights,weights')).toEqual([
      { name: 'teacher', dir: 'weights/teacher' },
      { name: 'student', dir: 'runs/s/weights' },
      { name: 'weights', dir: 'weights' },
    ]);
    expect(() => parseModelList('a=x,a=y')).toThrow(/twice/);
    expect(() => parseModelList('=x')).toThrow(/name=dir/);
  });
});

describe('the served guidance, as the reports label it', () => {
  it('names the set’s own and its long runs’', () => {
    const own = { defaultSteps: 4, defaultGuidance: 2.25, defaultSampler: 'ddim' as const };
    expect(guidanceLabel(own)).toBe('2.25');
    expect(guidanceLabel({ ...own, guidanceInterval: { from: 0.1, to: 0.8 } })).toBe('2.25 at 0.1·T-0.8·T');
    expect(guidanceLabel({ ...own, longRuns: { fromSteps: 10, defaultGuidance: 4.5, guidanceInterval: { from: 0.1, to: 0.8 } } })).toBe('2.25; from 10 steps 4.5 at 0.1·T-0.8·T');
  });
});

describe('loading weight sets', () => {
  const teacher = JSON.parse(fs.readFileSync('weights/teacher/manifest.json', 'utf8'));
  const tiny: UNetConfig = { ...teacher.architecture, channels: [4, 8, 8], guidanceFeatures: 8 };
  let run: string;
  let models: NamedModel[];

  beforeAll(async () => {
    await useWasm();
    // A tiny guidance-distilled "student": int8 export plus the checkpoint it came from, as a distillation run leaves them.
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-models-'));
    const weights = initialParams(paramSpecs(tiny), new Rng(5));
    exportWeights(path.join(run, 'weights'), weights, { architecture: tiny, schedule: teacher.schedule, sampling: teacher.sampling, provenance: {}, metrics: {} });
    saveCheckpoint(run, { step: 3, rng: new Rng(1).state(), groups: { params: weights, m: {}, v: {}, ema: weights } }, { recipe: DEFAULT_RECIPE, unet: tiny, wallSeconds: 0 });
    models = await loadModels(parseModelList(`teacher=weights/teacher,again=weights/teacher,student=${path.join(run, 'weights')}`));
  });

  it('measures the same weights once, under both names', () => {
    expect(models.map((m) => m.name)).toEqual(['teacher = again', 'student']);
    const s = summarizeModel(models[1]);
    expect(s.architecture.guidanceFeatures).toBe(8);
    expect(s.weightBytes).toBe(s.parameters); // int8: one byte per parameter
  });

  it('gives a bare checkpoint to the model it was exported to, and refuses a named model of another architecture', () => {
    const [fp32] = loadFp32Checkpoints([run], models);
    expect(fp32.model).toBe('student');
    expect(fp32.matchesShippedInt8).toBe(true);
    expect(fp32.checkpoint).toBe(path.join(run, CHECKPOINT_FILE));
    expect(() => loadFp32Checkpoints([`teacher=${run}`], models)).toThrow(/architecture/);
    expect(() => loadFp32Checkpoints([`nobody=${run}`], models)).toThrow(/no model named nobody/);
  });
});
