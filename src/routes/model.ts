/** GET /model (what is being served, and how well) and GET /healthz. */
import * as tf from '@tensorflow/tfjs-core';
import { Hono } from 'hono';
import { LIMITS } from '../params';
import { getModel } from '../model/runtime';
import { flopsPerImage, parameterCount } from '../model/unet';

export const modelRoutes = new Hono();

modelRoutes.get('/model', async (c) => {
  const model = await getModel();
  const m = model.manifest;
  return c.json(
    {
      weightsVersion: m.version,
      architecture: m.architecture,
      parameters: parameterCount(m.architecture),
      mflopsPerNetworkCall: +(flopsPerImage(m.architecture) / 1e6).toFixed(2),
      quantization: { scheme: 'int8, one scale per output channel', weightBytes: m.binary.bytes, sha256: m.binary.sha256 },
      schedule: m.schedule,
      sampling: { ...m.sampling, samplers: ['ddim', 'dpmpp'], maxSteps: LIMITS.maxSteps, maxGuidance: LIMITS.maxGuidance, sizes: [LIMITS.minSize, LIMITS.maxSize] },
      provenance: m.provenance,
      metrics: m.metrics,
      backend: { name: tf.getBackend(), binary: 'tfjs-backend-wasm-simd.wasm', threads: 1, startupMs: +model.startupMs.toFixed(1) },
    },
    200,
    { 'Cache-Control': 'no-store' },
  );
});

modelRoutes.get('/healthz', async (c) => {
  const model = await getModel();
  // Live tensor count: a leak shows up here as growth across requests.
  return c.json({ status: 'ok', weightsVersion: model.manifest.version, tensors: tf.memory().numTensors }, 200, { 'Cache-Control': 'no-store' });
});
