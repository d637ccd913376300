/**
 * GET /digit/:digit.png — one freshly generated handwritten digit.
 * GET /digit/:digit.apng — the same digit forming: one frame per sampler step
 * (its clean estimate x̂₀), ending on the PNG's picture. Same query, same caching.
 */
import { Hono } from 'hono';
import { respondWithRender } from '../http/render';
import { encodeApng, encodePng, upscaleNearest } from '../image/png';
import { drawFrames } from '../model/animate';
import { drawDigits, type DrawRequest } from '../model/generate';
import { getModel } from '../model/runtime';
import type { Model } from '../model/sampler';
import { canonicalQuery, checkAnimation, drawSeed, parseDigit, parseGenerationQuery, withDefaults } from '../params';
import { ApiError } from '../errors';

/** Frame timing: quick enough to read as motion, with the finished digit held. */
const FRAME_MS = 120;
const LAST_FRAME_MS = 2000;

const FORMATS: Record<string, { contentType: string; render: (model: Model, draw: DrawRequest, size: number) => Promise<Uint8Array<ArrayBuffer>> }> = {
  png: {
    contentType: 'image/png',
    render: async (model, draw, size) => encodePng(upscaleNearest((await drawDigits(model, draw))[0], size, size)),
  },
  apng: {
    contentType: 'image/apng',
    render: async (model, draw, size) => encodeApng((await drawFrames(model, draw)).map((f) => upscaleNearest(f, size, size)), FRAME_MS, LAST_FRAME_MS),
  },
};

export const digitRoutes = new Hono();

digitRoutes.get('/digit/:file', async (c) => {
  const match = /^(.*)\.(png|apng)$/.exec(c.req.param('file'));
  if (!match) throw new ApiError(404, 'not_found', `no such image ${JSON.stringify(c.req.param('file'))}; ask for /digit/<0-9>.png or /digit/<0-9>.apng`);
  const digit = parseDigit(match[1]);
  const format = match[2];
  const query = parseGenerationQuery(new URL(c.req.url).searchParams);
  const model = await getModel();
  const params = withDefaults(query, model.manifest.sampling);
  if (format === 'apng') checkAnimation(params);
  const seed = drawSeed(params.seed);

  const canonical = `/digit/${digit}.${format}?${canonicalQuery({ guidance: params.guidance, sampler: params.sampler, seed, size: params.size, steps: params.steps })}`;
  const draw = { digits: [digit], seeds: [seed], steps: params.steps, guidance: params.guidance, sampler: params.sampler };
  return respondWithRender(c, {
    seeded: params.seed !== null,
    canonical,
    weightsVersion: model.manifest.version,
    contentType: FORMATS[format].contentType,
    render: () => FORMATS[format].render(model, draw, params.size),
    headers: { 'X-Seed': String(seed), 'X-Weights-Version': model.manifest.version },
  });
});
