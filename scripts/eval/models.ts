/**
 * The models eval and bench measure, loaded in Node exactly as the Worker
 * loads them (src/model/runtime.ts): manifest + int8 binary through
 * loadWeights (sha256 check, per-channel dequantisation), then the same
 * Model shape the sampler takes. Several weight sets (the teacher and its
 * distilled students) are compared in one run; each is named on the command
 * line. Optionally the fp32 EMA weights a set was quantised from, read from
 * a training or distillation checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../src/model/sampler';
import { samplingAt, type GuidanceAt } from '../../src/model/sampling-defaults';
import { flopsPerImage, parameterCount, paramSpecs, type Params, type UNetConfig } from '../../src/model/unet';
import { loadWeights, modelOf, type Manifest } from '../../src/model/weights';
import { CHECKPOINT_FILE, loadCheckpoint } from '../train/checkpoint';
import { quantizePerChannel } from '../train/export';

/** `--models` when none is given: the teacher and the weight sets the Worker serves (src/model/weight-sets.ts; one entry for weights given twice). */
export const DEFAULT_MODELS = 'teacher=weights/teacher,few-step=weights/few-step,general=weights';

export interface LoadedWeights extends Model {
  manifest: Manifest;
  /** model.bin as read, for comparing an fp32 checkpoint against it. */
  binary: Uint8Array;
}

export async function loadShippedModel(weightsDir = 'weights'): Promise<LoadedWeights> {
  const raw = JSON.parse(fs.readFileSync(path.join(weightsDir, 'manifest.json'), 'utf8'));
  const file = fs.readFileSync(path.join(weightsDir, raw.binary?.file ?? 'model.bin'));
  const binary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const { manifest, params } = await loadWeights(raw, binary);
  return { ...modelOf(manifest, params), binary: new Uint8Array(binary) };
}

export interface ModelSpec {
  name: string;
  dir: string;
}

/** "teacher=weights/teacher,student=runs/x/weights"; a bare DIR is named after its last folder. */
export function parseModelList(raw: string): ModelSpec[] {
  const specs = raw.split(',').map((s) => s.trim()).filter(Boolean).map((item): ModelSpec => {
    const eq = item.indexOf('=');
    const dir = eq < 0 ? item : item.slice(eq + 1).trim();
    const name = eq < 0 ? path.basename(path.resolve(dir)) : item.slice(0, eq).trim();
    if (!name || !dir) throw new Error(`--models: "${item}" is not name=dir`);
    return { name, dir };
  });
  if (!specs.length) throw new Error('--models needs at least one name=dir');
  const names = specs.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`--models: the name ${twice} is given twice`);
  return specs;
}

export interface NamedModel extends LoadedWeights {
  /** The row label in reports; names of duplicates joined with " = " ("teacher = served"). */
  name: string;
  dir: string;
}

/**
 * Loads every listed weight set. The same weights under two names (today the
 * served folder still holds the teacher) are measured once, under both names.
 */
export async function loadModels(specs: ModelSpec[]): Promise<NamedModel[]> {
  const models: NamedModel[] = [];
  for (const spec of specs) {
    const loaded = await loadShippedModel(spec.dir);
    const same = models.find((m) => m.manifest.binary.sha256 === loaded.manifest.binary.sha256 && m.manifest.version === loaded.manifest.version);
    if (same) {
      same.name = `${same.name} = ${spec.name}`;
      tf.dispose(Object.values(loaded.params));
    } else {
      models.push({ ...loaded, name: spec.name, dir: spec.dir });
    }
  }
  return models;
}

/** What a report says about each weight set: identity, size and cost per network call. */
export interface ModelSummary {
  name: string;
  dir: string;
  version: string;
  sha256: string;
  architecture: UNetConfig;
  sampling: Manifest['sampling'];
  parameters: number;
  weightBytes: number;
  mflopsPerNetworkCall: number;
}

/**
 * "2.25", "4.5 at 0.1·T-0.8·T" for a set that guides only in an interval, "2.25; from 10 steps
 * 4.5 at 0.1·T-0.8·T" with long runs.
 */
export function guidanceLabel(sampling: Manifest['sampling']): string {
  const label = ({ defaultGuidance, guidanceInterval }: GuidanceAt) => (guidanceInterval ? `${defaultGuidance} at ${guidanceInterval.from}·T-${guidanceInterval.to}·T` : String(defaultGuidance));
  const { longRuns } = sampling;
  const own = label(samplingAt(sampling, sampling.defaultSteps));
  const long = longRuns ? `; from ${longRuns.fromSteps} steps ${label(samplingAt(sampling, longRuns.fromSteps))}` : '';
  return own + long;
}

export function summarizeModel(m: NamedModel): ModelSummary {
  return {
    name: m.name,
    dir: m.dir,
    version: m.manifest.version,
    sha256: m.manifest.binary.sha256,
    architecture: m.unet,
    sampling: m.manifest.sampling,
    parameters: parameterCount(m.unet),
    weightBytes: m.manifest.binary.bytes,
    mflopsPerNetworkCall: flopsPerImage(m.unet) / 1e6,
  };
}

/** "16/32/64" or "8/16/32 +w" (a guidance-distilled network: w is an input, one row per step). */
export function architectureLabel(unet: UNetConfig): string {
  return `${unet.channels.join('/')}${unet.guidanceFeatures ? ' +w' : ''}`;
}

export interface Fp32Weights extends Model {
  /** The name of the int8 model these weights belong to. */
  model: string;
  checkpoint: string;
  step: number;
  /** True when quantising these weights gives exactly the model's model.bin: they are its source. */
  matchesShippedInt8: boolean;
}

/**
 * `--fp32-checkpoint` entries, "[name=]PATH" (a run folder or its checkpoint.ckpt).
 * A named entry belongs to that model; a bare PATH to the model it is the
 * exact source of, else the only model of the checkpoint's architecture.
 */
export function loadFp32Checkpoints(raw: string[], models: NamedModel[]): Fp32Weights[] {
  return raw.map((item) => {
    const eq = item.indexOf('=');
    const where = eq < 0 ? item : item.slice(eq + 1);
    const runDir = path.basename(where) === CHECKPOINT_FILE ? path.dirname(where) : where;
    const ckpt = loadCheckpoint(runDir);
    if (!ckpt) throw new Error(`--fp32-checkpoint: no ${CHECKPOINT_FILE} in ${runDir}`);
    const ema = ckpt.snapshot.groups.ema;
    const sameArch = models.filter((m) => JSON.stringify(m.unet) === JSON.stringify(ckpt.header.unet));
    let model: NamedModel | undefined;
    if (eq >= 0) {
      const name = item.slice(0, eq);
      model = models.find((m) => m.name === name || m.name.split(' = ').includes(name));
      if (!model) throw new Error(`--fp32-checkpoint: no model named ${name} in --models (${models.map((m) => m.name).join(', ')})`);
      if (!sameArch.includes(model)) throw new Error(`--fp32-checkpoint: ${runDir}'s architecture ${JSON.stringify(ckpt.header.unet)} differs from ${model.name}'s ${JSON.stringify(model.unet)}`);
    } else {
      model = sameArch.find((m) => quantisesTo(ema, m)) ?? (sameArch.length === 1 ? sameArch[0] : undefined);
      if (!model) throw new Error(`--fp32-checkpoint: ${runDir} (architecture ${JSON.stringify(ckpt.header.unet)}) matches ${sameArch.length} of the models; name one: name=${where}`);
    }
    const params: Params = {};
    for (const spec of paramSpecs(model.unet)) {
      const values = ema[spec.name];
      if (!values) throw new Error(`--fp32-checkpoint: ${spec.name} missing from ${runDir}'s EMA weights`);
      params[spec.name] = tf.tensor(values, spec.shape, 'float32');
    }
    return { params, unet: model.unet, schedule: model.schedule, model: model.name, checkpoint: path.join(runDir, CHECKPOINT_FILE), step: ckpt.header.step, matchesShippedInt8: quantisesTo(ema, model) };
  });
}

/** Whether int8 export of these fp32 tensors gives exactly the model's model.bin. */
function quantisesTo(ema: Record<string, Float32Array>, model: LoadedWeights): boolean {
  const int8 = new Int8Array(model.binary.buffer, model.binary.byteOffset, model.binary.byteLength);
  return paramSpecs(model.unet).every((spec, i) => {
    const values = ema[spec.name];
    if (!values) return false;
    const offset = model.manifest.tensors[i].offset;
    return quantizePerChannel(values, spec.shape[spec.shape.length - 1]).values.every((v, k) => v === int8[offset + k]);
  });
}
