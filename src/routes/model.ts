/** GET /model (what is being served, and how well) and GET /healthz. */
import * as tf from '@tensorflow/tfjs-core';
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../http/metrics';
import { documented, errors, MODEL_UNAVAILABLE } from '../http/openapi';
import { LIMITS } from '../limits';
import { getModel } from '../model/runtime';
import { flopsPerImage, parameterCount } from '../model/unet';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const noStore = { 'Cache-Control': { description: 'no-store', schema: { type: 'string' as const, enum: ['no-store'] } } };

const modelRoute = documented({
  method: 'get',
  path: '/model',
  summary: 'What is being served',
  description: 'Weights version, parameter count, MFLOP per network call, quantization, noise schedule, sampling defaults and limits, training provenance and measured metrics.',
  responses: {
    200: {
      description: 'the served model',
      headers: noStore,
      content: json(
        z
          .looseObject({
            weightsVersion: z.string(),
            parameters: z.number().int(),
            mflopsPerNetworkCall: z.number(),
            sampling: z.looseObject({ defaultSteps: z.number().int(), defaultGuidance: z.number(), defaultSampler: z.string(), maxSteps: z.number().int() }),
          })
          .meta({ id: 'Model' }),
      ),
    },
    ...errors({ 503: MODEL_UNAVAILABLE }),
  },
});

const healthRoute = documented({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness, and the isolate’s live tensor count',
  responses: {
    200: {
      description: 'the model is loaded; `tensors` must not grow from request to request',
      headers: noStore,
      content: json(z.object({ status: z.literal('ok'), weightsVersion: z.string(), tensors: z.number().int() }).meta({ id: 'Health' })),
    },
    ...errors({ 503: MODEL_UNAVAILABLE }),
  },
});

export const modelRoutes = new Hono<AppEnv>();

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
