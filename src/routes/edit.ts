/**
 * Editing an uploaded picture.
 * POST /inpaint — regenerate the masked part as a digit, keeping the rest.
 * POST /restyle — SDEdit the picture toward another digit.
 * Body: a PNG (Content-Type image/png) or multipart/form-data with file fields
 * image (and, for /inpaint, mask). The answer is a grey PNG at the upload's size
 * and polarity. POST answers are not cached; the seed (X-Seed) reproduces them.
 */
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { editCost, type Drawing } from '../cost';
import { ApiError, type ErrorCode } from '../errors';
import type { AppEnv } from '../http/metrics';
import { binary, documented, EDIT_HEADERS, errors, QUERY_ERRORS, TAGS, validated } from '../http/openapi';
import { payForDrawing } from '../http/rate-limit';
import { drainUnread, readUpload, uploadBody, type Upload } from '../http/upload';
import { declaredPixels, decodePng } from '../image/decode';
import { maskFromImage, maskFromRect } from '../image/mask';
import type { GreyImage } from '../image/grey';
import { encodePng } from '../image/png';
import { inpaintImage, restyleImage } from '../model/edit';
import { getModel } from '../model/runtime';
import { SERVED_SETS } from '../model/served-sets';
import { weightSetFor } from '../model/weight-sets';
import { LIMITS } from '../limits';
import { drawSeed, inpaintParams, inpaintQuery, restyleQuery, withDefaults } from '../params';

/** What every upload route can refuse with, and the route's own 400s (`invalid`). */
export function uploadRefusals(invalid: readonly ErrorCode[]) {
  return errors({
    400: [...QUERY_ERRORS, 'empty_body', 'invalid_body', 'not_png', 'invalid_image', ...invalid],
    408: ['request_timeout'],
    413: ['body_too_large', 'image_too_large'],
    415: ['unsupported_media_type'],
    429: ['rate_limited'],
    503: ['model_unavailable'],
  });
}

/** What an edit route can answer; `invalid` adds the route's own 400s to those every upload can give. */
function edited(invalid: readonly ErrorCode[]) {
  return {
    200: { description: 'the edited picture: a grey PNG at the upload’s size and polarity', headers: EDIT_HEADERS, content: binary('image/png') },
    ...uploadRefusals(['invalid_digit', ...invalid]),
  };
}

const inpaintRoute = documented({
  method: 'post',
  path: '/inpaint',
  tags: [TAGS.editing.name],
  summary: 'Redraw the masked part of a picture as a digit',
  description: `Every pixel outside the mask comes back unchanged, byte for byte. The mask is a rectangle (mask=x,y,w,h) or a PNG of the picture’s size (white = redraw, black or transparent = keep). Refused with over_budget, before anything is decoded, when the estimated CPU exceeds ${LIMITS.requestBudgetMs} ms: the kept pixels are encoded again, and a large picture that does not compress (noise) costs up to 0.7 s for that alone, so it takes only a few steps.`,
  request: { query: inpaintQuery, body: uploadBody(['image', 'mask']) },
  responses: edited(['invalid_mask', 'over_budget']),
});

const restyleRoute = documented({
  method: 'post',
  path: '/restyle',
  tags: [TAGS.editing.name],
  summary: 'Turn a picture into another digit (SDEdit)',
  description: 'The picture is noised to `strength` and denoised toward digit `to`: strength 0 returns the picture itself, 1 ignores it.',
  request: { query: restyleQuery, body: uploadBody(['image']) },
  responses: edited([]),
});

export const editRoutes = new Hono<AppEnv>();

/** A refusal reaches a client that is still sending only once its body has been read. */
export const drainRefused: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.res.status >= 400) await drainUnread(c.req.raw);
};
editRoutes.use('/inpaint', drainRefused);
editRoutes.use('/restyle', drainRefused);

editRoutes.post('/inpaint', validated(inpaintRoute.request), async (c) => {
  const q = c.req.valid('query');
  const drawer = drawsWith(q.steps);
  const params = inpaintParams(q, drawer.sampling);
  const upload = await readUpload(c, ['image', 'mask']);
  if (upload.mask && q.mask) throw new ApiError(400, 'invalid_mask', 'the mask is given twice: send either the mask file field or mask=x,y,w,h, not both');
  if (!upload.mask && !q.mask) throw new ApiError(400, 'invalid_mask', 'no mask: send a mask PNG (white = regenerate, black = keep) as the mask field, or mask=x,y,w,h in the query');
  // RePaint takes every step `resample` times: that many network calls.
  await pay(c, { unet: drawer.architecture, images: 1, steps: params.steps * params.resample, guidance: params.guidance }, upload, true);
  const metrics = c.var.metrics;
  const { image, mask } = await metrics.time('decode', () => {
    const image = decodePng(upload.image, 'the image', { work: metrics });
    const mask = upload.mask ? maskFromImage(decodePng(upload.mask, 'the mask', { paper: 0, work: metrics }), image) : maskFromRect(q.mask!, image);
    return { image, mask };
  });
  const model = await getModel(q.steps);
  const seed = drawSeed(params.seed);
  const picture = await metrics.time('model', () => inpaintImage(model, { ...params, digit: q.digit, seed, image, mask }));
  return answer(c, picture, seed, model.manifest.version);
});

editRoutes.post('/restyle', validated(restyleRoute.request), async (c) => {
  const q = c.req.valid('query');
  const drawer = drawsWith(q.steps);
  const params = withDefaults(q, drawer.sampling);
  const upload = await readUpload(c, ['image']);
  await pay(c, { unet: drawer.architecture, images: 1, steps: params.steps, guidance: params.guidance }, upload, false);
  const metrics = c.var.metrics;
  const image = await metrics.time('decode', () => decodePng(upload.image, 'the image', { work: metrics }));
  const model = await getModel(q.steps);
  const seed = drawSeed(params.seed);
  const picture = await metrics.time('model', () => restyleImage(model, { ...params, digit: q.to, seed, strength: q.strength, image }));
  return answer(c, picture, seed, model.manifest.version);
});

/**
 * The manifest of the weights that will draw `steps`: its defaults and size
 * are known without loading them, so the query is checked and the request
 * priced before the upload is decoded (and before a weights failure would show).
 */
export function drawsWith(steps: number | undefined, inHand = false) {
  return weightSetFor(SERVED_SETS, steps, inHand).manifest;
}

/** The edit's estimated cost, from the query and the upload as its headers state it: over the budget refused, else paid, before any decoding. */
function pay(c: Context<AppEnv>, drawing: Drawing, upload: Upload, keepsPicture: boolean): Promise<void> {
  const pixels = declaredPixels(upload.image) + (upload.mask ? declaredPixels(upload.mask) : 0);
  return payForDrawing(c, editCost(drawing, { pixels, pictureBytes: upload.image.length }, keepsPicture));
}

async function answer(c: Context<AppEnv>, image: GreyImage, seed: number, weightsVersion: string): Promise<Response> {
  const metrics = c.var.metrics;
  const png = await metrics.time('encode', () => encodePng(image));
  return new Response(png, {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'X-Seed': String(seed), 'X-Weights-Version': weightsVersion, 'Server-Timing': metrics.serverTiming() },
  });
}
