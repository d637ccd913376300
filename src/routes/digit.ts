/**
 * GET /digit/:digit.png — one freshly generated handwritten digit.
 * GET /digit/:digit.apng — the same digit forming: one frame per sampler step
 * (its clean estimate x̂₀), ending on the PNG's picture. Same query, same caching.
 */
import { Hono, type Context } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv, RequestMetrics } from '../http/metrics';
import { animationCost, digitCost, type Drawing } from '../cost';
import { conditional, documented, errors, QUERY_ERRORS, renderedImage, TAGS, validated } from '../http/openapi';
import { respondWithRender } from '../http/render';
import { encodeApng, encodePng, upscaleNearest } from '../image/png';
import { drawFrames } from '../model/animate';
import { drawDigits, type DrawRequest } from '../model/generate';
import { getModel } from '../model/runtime';
import { asksForStyle } from '../model/style-prior';
import type { Model } from '../model/sampler';
import { LIMITS } from '../limits';
import { canonicalQuery, digitPath, drawSeed, generationQuery, requestedStyle, styleHeader, withDefaults } from '../params';

/** Frame timing: quick enough to read as motion, with the finished digit held. */
const FRAME_MS = 120;
const LAST_FRAME_MS = 2000;

const request = { params: digitPath, query: generationQuery, headers: conditional };
const refusals = { 429: ['rate_limited'], 503: ['model_unavailable'] } as const;
const queryErrors = ['invalid_digit', ...QUERY_ERRORS, 'style_unavailable'] as const;

// Both formats share the query and refusals; the animation can also be over budget.
documented({
  method: 'get',
  path: '/digit/{digit}.png',
  tags: [TAGS.drawing.name],
  summary: 'Draw one digit',
  description: 'A grey PNG, white ink on black as in MNIST. Same parameters + same weights = byte-identical PNG.',
  request,
  responses: { ...renderedImage('image/png', 'the digit'), ...errors({ 400: queryErrors, ...refusals }) },
});

documented({
  method: 'get',
  path: '/digit/{digit}.apng',
  tags: [TAGS.drawing.name],
  summary: 'Watch one digit form',
  description: `One animation frame per sampler step (its clean estimate), ending on exactly the picture GET /digit/{digit}.png draws. size² × steps must be at most ${LIMITS.maxAnimationPixels}, and the estimated CPU at most ${LIMITS.requestBudgetMs} ms (the model, and about 6 ms per frame to encode): over_budget otherwise, before anything is drawn.`,
  request,
  responses: { ...renderedImage('image/apng', 'the animation'), ...errors({ 400: [...queryErrors, 'over_budget'], ...refusals }) },
});

interface Format {
  extension: string;
  contentType: string;
  /** Its estimated CPU (src/cost.ts); refuses what one request may not afford, before anything is drawn. */
  cost: (drawing: Drawing, size: number) => number;
  /** Draws and encodes, timing both phases. */
  render: (model: Model, draw: DrawRequest, size: number, metrics: RequestMetrics) => Promise<Uint8Array<ArrayBuffer>>;
}

const FORMATS: Format[] = [
  {
    extension: 'png',
    contentType: 'image/png',
    cost: digitCost,
    render: async (model, draw, size, metrics) => {
      const [image] = await metrics.time('model', () => drawDigits(model, draw));
      return metrics.time('encode', () => encodePng(upscaleNearest(image, size, size)));
    },
  },
  {
    extension: 'apng',
    contentType: 'image/apng',
    cost: animationCost,
    render: async (model, draw, size, metrics) => {
      const frames = await metrics.time('model', () => drawFrames(model, draw));
      return metrics.time('encode', () => encodeApng(frames.map((f) => upscaleNearest(f, size, size)), FRAME_MS, LAST_FRAME_MS));
    },
  },
];

export const digitRoutes = new Hono<AppEnv>();

for (const format of FORMATS) {
  // Hono routes the whole file name (`5.png`); the document's {digit} is what precedes the extension.
  const digitOfFile = (c: Context) => ({ digit: c.req.param('file')!.slice(0, -format.extension.length - 1) });
  digitRoutes.get(`/digit/:file{.*\\.${format.extension}}`, validated(request, digitOfFile), async (c) => {
    const { digit } = c.req.valid('param');
    const query = c.req.valid('query');
    const model = await getModel(query.steps, asksForStyle(query));
    const style = requestedStyle(query, model.manifest);
    const params = withDefaults(query, model.manifest.sampling);
    const costMs = format.cost({ unet: model.unet, images: 1, steps: params.steps, guidance: params.guidance }, params.size);
    const seed = drawSeed(params.seed);
    // No style given: the key and the drawing are exactly those of before style existed.
    const canonical = `/digit/${digit}.${format.extension}?${canonicalQuery({ guidance: params.guidance, sampler: params.sampler, seed, size: params.size, steps: params.steps, ...style })}`;
    const draw = { digits: [digit], seeds: [seed], steps: params.steps, guidance: params.guidance, sampler: params.sampler, ...(style ? { styles: [style] } : {}) };
    return respondWithRender(c, {
      seeded: params.seed !== null,
      canonical,
      weightsVersion: model.manifest.version,
      contentType: format.contentType,
      render: () => format.render(model, draw, params.size, c.var.metrics),
      costMs,
      headers: { 'X-Seed': String(seed), 'X-Weights-Version': model.manifest.version, ...(style ? { 'X-Style': styleHeader(style) } : {}) },
    });
  });
}

digitRoutes.get('/digit/:file', (c) => {
  throw new ApiError(404, 'not_found', `no such image ${JSON.stringify(c.req.param('file'))}; ask for /digit/<0-9>.png or /digit/<0-9>.apng`);
});
