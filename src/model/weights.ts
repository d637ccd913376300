/**
 * The weights format, reader side: a weights folder's manifest.json + model.bin
 * (weights/ and weights/few-step/ are served; src/model/served-sets.ts).
 *
 * model.bin is the int8 values of every tensor, back to back, in the manifest's
 * order; each tensor has one float32 scale per output channel (its last axis),
 * value = int8 × scale. The manifest also carries everything needed to run the
 * model (architecture, schedule, sampling defaults), the sha256 of model.bin,
 * a version that changes with every export, and where the weights came from.
 * The only writer is scripts/train/export.ts; test/weights-format.test.ts holds
 * the two against each other.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LIMITS } from '../limits';
import { SAMPLERS, type GuidanceInterval, type Model } from './sampler';
import type { SamplingDefaults } from './sampling-defaults';
import { NoiseSchedule, type ScheduleConfig } from './schedule';
import { paramSpecs, type Params, type UNetConfig } from './unet';

export const WEIGHTS_FORMAT = 'edge-diffusion-digits/int8-per-channel/v1';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Byte offset of the tensor's int8 values in the binary. */
  offset: number;
  /** One scale per index of the last axis. */
  scales: number[];
}

export interface Manifest {
  format: typeof WEIGHTS_FORMAT;
  version: string;
  /** What the Worker calls this set; every served set has one (checkWeightSets), a fresh export none. */
  name?: string;
  architecture: UNetConfig;
  schedule: ScheduleConfig;
  sampling: SamplingDefaults;
  binary: { file: string; bytes: number; sha256: string };
  tensors: TensorEntry[];
  provenance: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

export class WeightsError extends Error {}

/** Checks the manifest's shape and that it matches the architecture it declares; throws WeightsError. */
export function validateManifest(raw: unknown): Manifest {
  const m = raw as Manifest;
  const fail = (what: string): never => {
    throw new WeightsError(`weights manifest: ${what}`);
  };
  if (!m || typeof m !== 'object') fail('not a JSON object');
  if (m.format !== WEIGHTS_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected ${WEIGHTS_FORMAT}`);
  if (typeof m.version !== 'string' || !m.version) fail('missing version');
  if (!m.binary || !/^[0-9a-f]{64}$/.test(m.binary.sha256 ?? '')) fail('missing binary.sha256');
  if (!Array.isArray(m.tensors)) fail('missing tensor table');
  if (!m.sampling || !Number.isInteger(m.sampling.defaultSteps) || !Number.isFinite(m.sampling.defaultGuidance)) fail('missing sampling defaults');
  if (!SAMPLERS.includes(m.sampling.defaultSampler)) fail(`sampling.defaultSampler ${JSON.stringify(m.sampling.defaultSampler)} must be one of ${SAMPLERS.join(', ')}`);
  const { maxSteps } = m.sampling;
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= m.sampling.defaultSteps)) fail(`sampling.maxSteps ${JSON.stringify(maxSteps)} must be an integer no smaller than defaultSteps`);
  const interval = m.sampling.guidanceInterval;
  if (interval !== undefined && !isInterval(interval)) fail(`sampling.guidanceInterval ${JSON.stringify(interval)} ${INTERVAL_RULE}`);
  const longRuns = m.sampling.longRuns;
  if (longRuns !== undefined) {
    const problem = longRunsProblem(longRuns, m.sampling);
    if (problem) fail(`sampling.longRuns ${JSON.stringify(longRuns)}: ${problem}`);
  }
  const hand = m.sampling.hand;
  if (hand !== undefined) {
    if (hand !== true) fail(`sampling.hand ${JSON.stringify(hand)} must be true or absent`);
    if (!m.architecture?.styleFeatures) fail('sampling.hand is for a set with style inputs, and this one has none');
  }
  if (m.name !== undefined && (typeof m.name !== 'string' || !m.name)) fail('name must be a non-empty string');
  let specs;
  try {
    specs = paramSpecs(m.architecture);
  } catch {
    return fail('architecture is malformed');
  }
  if (specs.length !== m.tensors.length) fail(`${m.tensors.length} tensors, the architecture has ${specs.length}`);
  specs.forEach((spec, i) => {
    const t = m.tensors[i];
    if (t?.name !== spec.name || JSON.stringify(t.shape) !== JSON.stringify(spec.shape)) {
      fail(`tensor ${i} is ${t?.name} ${JSON.stringify(t?.shape)}, the architecture expects ${spec.name} ${JSON.stringify(spec.shape)}`);
    }
    if (!Array.isArray(t.scales) || t.scales.length !== spec.shape[spec.shape.length - 1] || !t.scales.every(Number.isFinite)) {
      fail(`tensor ${spec.name} needs one finite scale per output channel`);
    }
    if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + size(spec.shape) > m.binary.bytes) fail(`tensor ${spec.name} lies outside the binary`);
  });
  return m;
}

const INTERVAL_RULE = 'must be { from, to } with 0 ≤ from < to ≤ 1';

function isInterval(interval: unknown): interval is GuidanceInterval {
  const { from, to } = (interval ?? {}) as Partial<GuidanceInterval>;
  return typeof interval === 'object' && typeof from === 'number' && typeof to === 'number' && from >= 0 && from < to && to <= 1;
}

/** What is wrong with a long-run entry, if anything: it must apply to some served count other than the default request's. */
function longRunsProblem(longRuns: unknown, sampling: SamplingDefaults): string | undefined {
  if (longRuns === null || typeof longRuns !== 'object') return 'must be { fromSteps, defaultGuidance, guidanceInterval? }';
  const { fromSteps, defaultGuidance, guidanceInterval, ...extra } = longRuns as Record<string, unknown>;
  if (Object.keys(extra).length) return `unknown field ${Object.keys(extra).join(', ')}; allowed: fromSteps, defaultGuidance, guidanceInterval`;
  const last = sampling.maxSteps ?? LIMITS.maxSteps;
  if (!(Number.isInteger(fromSteps) && (fromSteps as number) > sampling.defaultSteps && (fromSteps as number) <= last)) {
    return `fromSteps must be an integer above defaultSteps (${sampling.defaultSteps}) and at most ${last}, the set's last step count`;
  }
  if (!(typeof defaultGuidance === 'number' && defaultGuidance >= 0 && defaultGuidance <= LIMITS.maxGuidance)) return `defaultGuidance must be a number from 0 to ${LIMITS.maxGuidance}`;
  if (guidanceInterval !== undefined && !isInterval(guidanceInterval)) return `guidanceInterval ${INTERVAL_RULE}`;
  return undefined;
}

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Verifies the binary against the manifest and dequantises every tensor to float32 (once per isolate). */
export async function loadWeights(rawManifest: unknown, binary: ArrayBuffer): Promise<{ manifest: Manifest; params: Params }> {
  const manifest = validateManifest(rawManifest);
  if (binary.byteLength !== manifest.binary.bytes) {
    throw new WeightsError(`weights binary is ${binary.byteLength} bytes, the manifest says ${manifest.binary.bytes}`);
  }
  const digest = await sha256Hex(binary);
  if (digest !== manifest.binary.sha256) {
    throw new WeightsError(`weights binary sha256 ${digest} does not match the manifest's ${manifest.binary.sha256}`);
  }
  const int8 = new Int8Array(binary);
  const params: Params = {};
  for (const entry of manifest.tensors) {
    params[entry.name] = tf.tensor(dequantize(int8.subarray(entry.offset, entry.offset + size(entry.shape)), entry.scales), entry.shape, 'float32');
  }
  return { manifest, params };
}

/** What a loaded set draws with: its network, its schedule and its sampling (the guidance interval of each step count). */
export function modelOf(manifest: Manifest, params: Params): Model & { manifest: Manifest } {
  return { manifest, params, unet: manifest.architecture, schedule: new NoiseSchedule(manifest.schedule), sampling: manifest.sampling };
}

/** int8 × per-last-axis scale → float32. */
export function dequantize(values: Int8Array, scales: number[]): Float32Array {
  const out = new Float32Array(values.length);
  const channels = scales.length;
  for (let i = 0; i < values.length; i++) out[i] = values[i] * scales[i % channels];
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
