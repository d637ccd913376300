/**
 * GET /number/:digits.png — a number written in one hand (src/model/number.ts):
 * one style for every digit, drawn from the seed or given, each digit its own
 * noise; in cells, or packed by the ink. Cached like /digit, refused over the
 * budget like a sheet.
 */
import { Hono } from 'hono';
import { numberCost } from '../cost';
import { ApiError } from '../errors';
import type { AppEnv, RequestMetrics } from '../http/metrics';
import { conditional, documented, errors, QUERY_ERRORS, renderedImage, TAGS, validated } from '../http/openapi';
import { respondWithRender } from '../http/render';
import { encodePng, upscaleNearest } from '../image/png';
import { drawNumber, planNumber, type NumberRequest } from '../model/number';
import { getModel } from '../model/runtime';
import type { Model } from '../model/sampler';
import { styleStatsOf } from '../model/style-prior';
import { LIMITS } from '../limits';
import { canonicalQuery, drawSeed, numberPath, numberQuery, requestedStyle, styleHeader, styleUnavailable, withDefaults } from '../params';

const route = documented({
  method: 'get',
  path: '/number/{digits}.png',
  tags: [TAGS.drawing.name],
  summary: 'Write a number in one hand',
  description:
    `Up to ${LIMITS.maxNumberDigits} digits in one style: slant and thickness as given, else drawn once per seed from the training digits’ joint distribution (X-Style says which). ` +
    'Each digit has its own noise, deterministic per seed and position. spacing=cells (the default) puts each digit in its own square cell, size px wide; spacing=natural packs them by their ink with a handwriting-like gap. ' +
    `The picture is size px high. Refused with over_budget, before anything is drawn, when its estimated CPU exceeds ${LIMITS.requestBudgetMs} ms. Needs a weight set with style inputs (style_unavailable otherwise).`,
  request: { params: numberPath, query: numberQuery, headers: conditional },
  responses: {
    ...renderedImage('image/png', 'the number'),
    ...errors({ 400: ['invalid_digit', ...QUERY_ERRORS, 'style_unavailable', 'over_budget'], 429: ['rate_limited'], 503: ['model_unavailable'] }),
  },
});

/** Draws the number and encodes it `size` px high (each 28 px of it scaled by size/28), timing both phases. */
export async function renderNumber(model: Model, req: NumberRequest, size: number, metrics: RequestMetrics): Promise<Uint8Array<ArrayBuffer>> {
  const image = await metrics.time('model', () => drawNumber(model, req));
  return metrics.time('encode', () => encodePng(upscaleNearest(image, Math.round((image.width * size) / image.height), size)));
}

export const numberRoutes = new Hono<AppEnv>();

numberRoutes.get(
  '/number/:file{.*\\.png}',
  validated(route.request, (c) => ({ digits: c.req.param('file')!.slice(0, -'.png'.length) })),
  async (c) => {
    const { digits } = c.req.valid('param');
    const q = c.req.valid('query');
    // Every number is written in a hand, given or drawn.
    const model = await getModel(q.steps, true);
    const params = withDefaults(q, model.manifest.sampling);
    const stats = styleStatsOf(model.manifest);
    if (!stats) throw styleUnavailable(model.manifest);
    const given = requestedStyle(q, model.manifest);
    const spacing = q.spacing ?? 'cells';
    const costMs = numberCost({ unet: model.unet, images: digits.length, steps: params.steps, guidance: params.guidance }, params.size);
    const seed = drawSeed(params.seed);
    const plan = planNumber(seed, digits.length, stats, given);
    // A drawn style follows from the seed, so only a given one is part of the key.
    const canonical = `/number/${digits.join('')}.png?${canonicalQuery({ guidance: params.guidance, sampler: params.sampler, seed, size: params.size, spacing, steps: params.steps, ...given })}`;
    const draw = { digits, plan, steps: params.steps, guidance: params.guidance, sampler: params.sampler, spacing };
    return respondWithRender(c, {
      seeded: params.seed !== null,
      canonical,
      weightsVersion: model.manifest.version,
      contentType: 'image/png',
      render: () => renderNumber(model, draw, params.size, c.var.metrics),
      costMs,
      headers: { 'X-Seed': String(seed), 'X-Style': styleHeader(plan.style), 'X-Weights-Version': model.manifest.version },
    });
  },
);

numberRoutes.get('/number/:file', (c) => {
  throw new ApiError(404, 'not_found', `no such image ${JSON.stringify(c.req.param('file'))}; ask for /number/<1 to ${LIMITS.maxNumberDigits} digits>.png`);
});
