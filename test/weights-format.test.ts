/** The weights format's one writer (scripts/train/export.ts) against its one reader (src/model/weights.ts). */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportWeights, quantizePerChannel } from '../scripts/train/export';
import { initialParams } from '../scripts/train/trainer';
import { Rng } from '../src/model/rng';
import { DEFAULT_SCHEDULE } from '../src/model/schedule';
import { DEFAULT_UNET, denoise, paramSpecs, type Params } from '../src/model/unet';
import { dequantize, loadWeights, WeightsError } from '../src/model/weights';
import { useWasm } from './helpers/node-backend';

beforeAll(useWasm);

function randomWeights(): Record<string, Float32Array> {
  // Initial weights have zero-initialised layers; perturb every tensor so each one matters.
  const w = initialParams(paramSpecs(DEFAULT_UNET), new Rng(5));
  const rng = new Rng(6);
  for (const k of Object.keys(w)) w[k] = w[k].map((v) => v + 0.05 * rng.normal());
  return w;
}

function exportTo(weights: Record<string, Float32Array>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weights-'));
  const manifest = exportWeights(dir, weights, {
    architecture: DEFAULT_UNET,
    schedule: DEFAULT_SCHEDULE,
    sampling: { defaultSteps: 10, defaultGuidance: 2, defaultSampler: 'dpmpp' },
    provenance: { test: true },
    metrics: {},
  });
  const binary = fs.readFileSync(path.join(dir, 'model.bin'));
  return { dir, manifest, raw: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')), binary: binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.length) };
}

describe('int8 per-channel quantisation', () => {
  it('rounds every value to within half a step of its channel scale', () => {
    const rng = new Rng(1);
    const channels = 8;
    const values = rng.normals(9 * channels).map((v, i) => v * (i % channels + 1));
    const q = quantizePerChannel(values, channels);
    const back = dequantize(q.values, q.scales);
    values.forEach((v, i) => expect(Math.abs(v - back[i])).toBeLessThanOrEqual(q.scales[i % channels] / 2 + 1e-7));
    // The largest value of each channel is exactly representable (±127 · scale).
    expect(Math.max(...Array.from(q.values).map(Math.abs))).toBe(127);
  });
});

describe('export → loader round trip', () => {
  it('loads exactly what was exported and gives the same denoiser output as the in-memory int8 weights', async () => {
    const weights = randomWeights();
    const { raw, binary } = exportTo(weights);
    const { manifest, params } = await loadWeights(raw, binary);
    expect(manifest.tensors.length).toBe(paramSpecs(DEFAULT_UNET).length);

    const expected: Params = {};
    for (const spec of paramSpecs(DEFAULT_UNET)) {
      const q = quantizePerChannel(weights[spec.name], spec.shape[spec.shape.length - 1]);
      expected[spec.name] = tf.tensor(dequantize(q.values, q.scales), spec.shape);
    }
    const fp32: Params = Object.fromEntries(paramSpecs(DEFAULT_UNET).map((s) => [s.name, tf.tensor(weights[s.name], s.shape)]));
    const x = tf.tensor4d(new Rng(3).normals(4 * 784), [4, 28, 28, 1]);
    const t = tf.tensor1d([0, 300, 600, 999]);
    const labels = tf.tensor1d([0, 3, 9, 10], 'int32');
    const loaded = await denoise(params, DEFAULT_UNET, x, t, labels, 1000).data();
    const inMemory = await denoise(expected, DEFAULT_UNET, x, t, labels, 1000).data();
    const reference = await denoise(fp32, DEFAULT_UNET, x, t, labels, 1000).data();
    expect(Array.from(loaded)).toEqual(Array.from(inMemory));

    // int8 stays close to fp32: relative RMS error of the output under 5 %.
    let err = 0;
    let norm = 0;
    reference.forEach((r, i) => {
      err += (r - loaded[i]) ** 2;
      norm += r * r;
    });
    expect(Math.sqrt(err / norm)).toBeLessThan(0.05);
  });

  it('refuses a binary whose sha256 does not match', async () => {
    const { raw, binary } = exportTo(randomWeights());
    new Uint8Array(binary)[10] ^= 1;
    await expect(loadWeights(raw, binary)).rejects.toThrow(/sha256 .* does not match/);
  });

  it('refuses a truncated binary', async () => {
    const { raw, binary } = exportTo(randomWeights());
    await expect(loadWeights(raw, binary.slice(0, 1000))).rejects.toThrow(WeightsError);
  });

  it.each([
    ['not an object', () => null],
    ['wrong format', (m: any) => ({ ...m, format: 'other' })],
    ['missing checksum', (m: any) => ({ ...m, binary: { ...m.binary, sha256: undefined } })],
    ['a tensor missing', (m: any) => ({ ...m, tensors: m.tensors.slice(1) })],
    ['a wrong shape', (m: any) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 3 ? { ...t, shape: [1, 2] } : t)) })],
    ['a scale missing', (m: any) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 3 ? { ...t, scales: t.scales.slice(1) } : t)) })],
    ['an offset past the end', (m: any) => ({ ...m, tensors: m.tensors.map((t: any, i: number) => (i === 3 ? { ...t, offset: 1e9 } : t)) })],
    ['no architecture', (m: any) => ({ ...m, architecture: undefined })],
  ])('refuses a malformed manifest: %s', async (_, mutate) => {
    const { raw, binary } = exportTo(randomWeights());
    await expect(loadWeights(mutate(raw), binary)).rejects.toThrow(WeightsError);
  });
});
