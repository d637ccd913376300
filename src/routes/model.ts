/** GET /model (what is being served, and how well) and GET /healthz. */
import * as tf from '@tensorflow/tfjs-core';
import { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../http/metrics';
import { documented, errors, TAGS } from '../http/openapi';
import { LIMITS } from '../limits';
import { getModel, getServedModels } from '../model/runtime';
import { guidanceBySteps, stepRanges } from '../model/weight-sets';
import type { Manifest } from '../model/weights';
import { DESCRIPTOR_MEANING, DESCRIPTORS, styleRange, styleStatsOf } from '../model/style-prior';
import { flopsPerImage, parameterCount } from '../model/unet';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const noStore = { 'Cache-Control': { description: 'no-store', schema: { type: 'string' as const, enum: ['no-store'] } } };

const interval = z.object({ from: z.number(), to: z.number() });

const weightSet = z
  .looseObject({
    name: z.string(),
    steps: z.tuple([z.number().int(), z.number().int()]).meta({ description: 'the first and last step count this set draws' }),
    weightsVersion: z.string(),
    parameters: z.number().int(),
    mflopsPerNetworkCall: z.number(),
    sampling: z.looseObject({
      defaultSteps: z.number().int(),
      defaultGuidance: z.number(),
      defaultSampler: z.string(),
      guidanceInterval: interval.optional().meta({ description: 'this set applies a request’s guidance only at timesteps from·T ≤ t ≤ to·T (plain conditional elsewhere); absent: at every step' }),
      longRuns: z
        .object({
          fromSteps: z.number().int(),
          defaultGuidance: z.number(),
          guidanceInterval: interval.optional().meta({ description: 'as the set’s own, for these runs; absent: at every step' }),
        })
        .optional()
        .meta({ description: 'requests of fromSteps steps or more get this default guidance and guidance interval instead of the set’s own (both replaced); absent: every step count gets the set’s own' }),
      hand: z.literal(true).optional().meta({ description: 'this set draws every request in a given hand (slant or thickness, GET /number, POST /imitate), at any step count and by default at its own defaults, and no plain request: it follows a hand far more closely than the plain sets; absent on every set: the plain sets draw those requests too' }),
    }),
    style: z
      .object({
        descriptors: z.record(
          z.enum(DESCRIPTORS),
          z.object({
            meaning: z.string(),
            unit: z.string(),
            range: z.tuple([z.number(), z.number()]).meta({ description: 'what slant or thickness may ask for: the training digits’ 1st and 99th percentiles' }),
            percentiles: z.record(z.string(), z.number()).meta({ description: 'p1, p5, p25, p50 (the median), p75, p95, p99 over MNIST’s training digits' }),
          }),
        ),
        correlation: z.number().meta({ description: 'correlation of the two descriptors’ normal scores over the training digits, with which /number draws a hand' }),
      })
      .nullable()
      .meta({ description: 'the styles this set can draw (slant, thickness: GET /digit, /sheet, /number, POST /imitate); null when it has no style inputs' }),
  })
  .meta({ id: 'WeightSet' });

const modelRoute = documented({
  method: 'get',
  path: '/model',
  tags: [TAGS.model.name],
  summary: 'What is being served',
  description:
    'The default request’s sampling defaults and limits, the noise schedule, and each served weight set: the step counts it draws, its sampling defaults (guidance interval, and other guidance from some step count on: longRuns), weights version, parameter count, MFLOP per network call, quantization, the styles it can draw (slant and thickness: what they mean, their unit, the range a request may ask for and the training digits’ percentiles), training provenance and measured metrics.',
  responses: {
    200: {
      description: 'the served model',
      headers: noStore,
      content: json(
        z
          .looseObject({
            weightsVersion: z.string().meta({ description: 'the weights that draw the default request' }),
            sampling: z.looseObject({ defaultSteps: z.number().int(), defaultGuidance: z.number(), defaultSampler: z.string(), maxSteps: z.number().int() }),
            guidanceBySteps: z
              .array(
                z.object({
                  weightSet: z.string(),
                  steps: z.tuple([z.number().int(), z.number().int()]),
                  defaultGuidance: z.number(),
                  guidanceInterval: interval.optional(),
                  hand: z.literal(true).optional(),
                }),
              )
              .meta({ description: 'the guidance every step count gets: the weight set that draws it, the default guidance of a request that names none, and where a request’s guidance applies (absent: every step), in spans of steps from 1 to maxSteps; the spans marked hand are of the set that draws every request in a hand, the others of plain requests' }),
            weightSets: z.array(weightSet),
          })
          .meta({ id: 'Model' }),
      ),
    },
    ...errors({ 503: ['model_unavailable'] }),
  },
});

const healthRoute = documented({
  method: 'get',
  path: '/healthz',
  tags: [TAGS.model.name],
  summary: 'Liveness, and the isolate’s live tensor count',
  responses: {
    200: {
      description: 'the model is loaded; `tensors` must not grow from request to request',
      headers: noStore,
      content: json(z.object({ status: z.literal('ok'), weightsVersion: z.string().meta({ description: 'the weights that draw the default request' }), tensors: z.number().int() }).meta({ id: 'Health' })),
    },
    ...errors({ 503: ['model_unavailable'] }),
  },
});

export const modelRoutes = new Hono<AppEnv>();

modelRoutes.get('/model', async (c) => {
  const served = await getServedModels();
  const { manifests } = served;
  const ranges = stepRanges(manifests);
  const weightSets = manifests.map((m, i) => describe(m, ranges[i]));
  return c.json(
    {
      weightsVersion: manifests[0].version,
      // The first set's defaults are the default request's.
      sampling: { ...weightSets[0].sampling, samplers: ['ddim', 'dpmpp'], maxSteps: LIMITS.maxSteps, maxGuidance: LIMITS.maxGuidance, sizes: [LIMITS.minSize, LIMITS.maxSize] },
      schedule: manifests[0].schedule,
      guidanceBySteps: guidanceBySteps(manifests),
      weightSets,
      backend: { name: tf.getBackend(), binary: 'tfjs-backend-wasm-simd.wasm', threads: 1, startupMs: +served.startupMs.toFixed(1) },
    },
    200,
    { 'Cache-Control': 'no-store' },
  );
});

function describe(m: Manifest, steps: [number, number]) {
  // The set's own maxSteps is its `steps` range; /model's sampling.maxSteps is the API's limit.
  const { maxSteps: _, ...sampling } = m.sampling;
  return {
    name: m.name,
    steps,
    weightsVersion: m.version,
    architecture: m.architecture,
    parameters: parameterCount(m.architecture),
    mflopsPerNetworkCall: +(flopsPerImage(m.architecture) / 1e6).toFixed(2),
    quantization: { scheme: 'int8, one scale per output channel', weightBytes: m.binary.bytes, sha256: m.binary.sha256 },
    sampling,
    style: styleOf(m),
    provenance: m.provenance,
    metrics: m.metrics,
  };
}

/** The styles a set draws, with what each descriptor means; null for a set without style inputs. */
function styleOf(m: Manifest) {
  const stats = styleStatsOf(m);
  if (!stats) return null;
  const descriptors = Object.fromEntries(DESCRIPTORS.map((d) => [d, { ...DESCRIPTOR_MEANING[d], range: styleRange(stats, d), percentiles: stats[d] }]));
  return { descriptors, correlation: stats.correlation };
}

modelRoutes.get('/healthz', async (c) => {
  const model = await getModel(undefined);
  // Live tensor count: a leak shows up here as growth across requests.
  return c.json({ status: 'ok', weightsVersion: model.manifest.version, tensors: tf.memory().numTensors }, 200, { 'Cache-Control': 'no-store' });
});
