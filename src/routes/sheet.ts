/**
 * GET /sheet.png — a grid of digits: one row per digit in `digits`, one column
 * per seed (seed, seed+1, …, `seeds` of them), each cell `size` px. Refused up
 * front when its estimated CPU exceeds the budget (src/cost.ts).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/metrics';
import { sheetCost } from '../cost';
import { conditional, documented, errors, QUERY_ERRORS, renderedImage, TAGS, validated } from '../http/openapi';
import { respondWithRender } from '../http/render';
import { encodePng, grid, upscaleNearest } from '../image/png';
import { getModel } from '../model/runtime';
import { asksForStyle } from '../model/style-prior';
import { drawSheet } from '../model/sheet';
import { LIMITS } from '../limits';
import { canonicalQuery, drawSeed, requestedStyle, sheetQuery, styleHeader, withDefaults } from '../params';

const DEFAULT_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const DEFAULT_SEEDS = 8;

const route = documented({
  method: 'get',
  path: '/sheet.png',
  tags: [TAGS.drawing.name],
  summary: 'Draw a sheet of digits',
  description: `One row per digit, one column per seed, all in one style when slant or thickness is given; each cell is byte for byte the picture GET /digit/{digit}.png draws for its seed and style. Refused with over_budget, before anything is drawn, when its estimated CPU exceeds ${LIMITS.requestBudgetMs} ms (the model and the PNG encode).`,
  request: { query: sheetQuery, headers: conditional },
  responses: {
    ...renderedImage('image/png', 'the sheet'),
    ...errors({ 400: [...QUERY_ERRORS, 'style_unavailable', 'over_budget'], 429: ['rate_limited'], 503: ['model_unavailable'] }),
  },
});

export const sheetRoutes = new Hono<AppEnv>();

sheetRoutes.get('/sheet.png', validated(route.request), async (c) => {
  const q = c.req.valid('query');
  const digits = q.digits ?? DEFAULT_DIGITS;
  const columns = q.seeds ?? DEFAULT_SEEDS;
  const model = await getModel(q.steps, asksForStyle(q));
  const style = requestedStyle(q, model.manifest);
  const params = withDefaults(q, model.manifest.sampling);
  const costMs = sheetCost({ unet: model.unet, images: digits.length * columns, steps: params.steps, guidance: params.guidance }, params.size);
  const seed = drawSeed(params.seed);
  const seeds = Array.from({ length: columns }, (_, j) => (seed + j) >>> 0);

  const canonical = `/sheet.png?${canonicalQuery({ digits: digits.join(''), guidance: params.guidance, sampler: params.sampler, seed, seeds: columns, size: params.size, steps: params.steps, ...style })}`;
  const draw = {
    digits: digits.flatMap((d) => seeds.map(() => d)),
    seeds: digits.flatMap(() => seeds),
    steps: params.steps,
    guidance: params.guidance,
    sampler: params.sampler,
    ...(style ? { styles: digits.flatMap(() => seeds.map(() => style)) } : {}),
  };
  const metrics = c.var.metrics;
  const render = async () => {
    const cells = await metrics.time('model', () => drawSheet(model, draw));
    return metrics.time('encode', () => encodePng(grid(cells.map((img) => upscaleNearest(img, params.size, params.size)), columns)));
  };
  return respondWithRender(c, {
    seeded: params.seed !== null,
    canonical,
    weightsVersion: model.manifest.version,
    contentType: 'image/png',
    render,
    costMs,
    headers: { 'X-Seed': String(seed), 'X-Weights-Version': model.manifest.version, ...(style ? { 'X-Style': styleHeader(style) } : {}) },
  });
});
