/**
 * Editing an uploaded picture.
 * POST /inpaint — regenerate the masked part as a digit, keeping the rest.
 * POST /restyle — SDEdit the picture toward another digit.
 * Body: a PNG (Content-Type image/png) or multipart/form-data with file fields
 * image (and, for /inpaint, mask). The answer is a grey PNG at the upload's size
 * and polarity. POST answers are not cached; the seed (X-Seed) reproduces them.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv } from '../http/metrics';
import { binary, documented, EDIT_HEADERS, errors, MODEL_UNAVAILABLE, validated } from '../http/openapi';
import { readUpload, uploadBody } from '../http/upload';
import { decodePng } from '../image/decode';
import { maskFromImage, maskFromRect } from '../image/mask';
import type { GreyImage } from '../image/grey';
import { encodePng } from '../image/png';
import { inpaintImage, restyleImage } from '../model/edit';
import { getModel } from '../model/runtime';
import { drawSeed, inpaintParams, inpaintQuery, restyleQuery, withDefaults } from '../params';

const UPLOAD_REFUSALS = {
  400: 'invalid_parameter, invalid_digit, unknown_parameter, repeated_parameter, empty_body, invalid_body (bad form, unknown or text field), not_png, invalid_image (truncated, bad CRC, corrupt or over-inflating data), invalid_mask',
  413: 'body_too_large (over 1 MiB per PNG; a Content-Length over the cap is refused before the body is read) or image_too_large (over 1024×1024 pixels, read from the header)',
  415: 'unsupported_media_type: neither image/png nor multipart/form-data',
  503: MODEL_UNAVAILABLE,
};

const EDITED = {
  200: { description: 'the edited picture: a grey PNG at the upload’s size and polarity', headers: EDIT_HEADERS, content: binary('image/png') },
  ...errors(UPLOAD_REFUSALS),
};

const inpaintRoute = documented({
  method: 'post',
  path: '/inpaint',
  summary: 'Redraw the masked part of a picture as a digit',
  description: 'Every pixel outside the mask comes back unchanged, byte for byte. The mask is a rectangle (mask=x,y,w,h) or a PNG of the picture’s size (white = redraw, black or transparent = keep).',
  request: { query: inpaintQuery, body: uploadBody(['image', 'mask']) },
  responses: EDITED,
});

const restyleRoute = documented({
  method: 'post',
  path: '/restyle',
  summary: 'Turn a picture into another digit (SDEdit)',
  description: 'The picture is noised to `strength` and denoised toward digit `to`: strength 0 returns the picture itself, 1 ignores it.',
  request: { query: restyleQuery, body: uploadBody(['image']) },
  responses: EDITED,
});

export const editRoutes = new Hono<AppEnv>();

editRoutes.post('/inpaint', validated(inpaintRoute.request), async (c) => {
  const q = c.req.valid('query');
  const upload = await readUpload(c, ['image', 'mask']);
  if (upload.mask && q.mask) throw new ApiError(400, 'invalid_mask', 'the mask is given twice: send either the mask file field or mask=x,y,w,h, not both');
  if (!upload.mask && !q.mask) throw new ApiError(400, 'invalid_mask', 'no mask: send a mask PNG (white = regenerate, black = keep) as the mask field, or mask=x,y,w,h in the query');
  const metrics = c.var.metrics;
  const { image, mask } = await metrics.time('decode', () => {
    const image = decodePng(upload.image, 'the image', { work: metrics });
    const mask = upload.mask ? maskFromImage(decodePng(upload.mask, 'the mask', { paper: 0, work: metrics }), image) : maskFromRect(q.mask!, image);
    return { image, mask };
  });
  const model = await getModel(q.steps);
  const params = inpaintParams(q, model.manifest.sampling);
  const seed = drawSeed(params.seed);
  const picture = await metrics.time('model', () => inpaintImage(model, { ...params, digit: q.digit, seed, image, mask }));
  return answer(c, picture, seed, model.manifest.version);
});

editRoutes.post('/restyle', validated(restyleRoute.request), async (c) => {
  const q = c.req.valid('query');
  const upload = await readUpload(c, ['image']);
  const metrics = c.var.metrics;
  const image = await metrics.time('decode', () => decodePng(upload.image, 'the image', { work: metrics }));
  const model = await getModel(q.steps);
  const params = withDefaults(q, model.manifest.sampling);
  const seed = drawSeed(params.seed);
  const picture = await metrics.time('model', () => restyleImage(model, { ...params, digit: q.to, seed, strength: q.strength, image }));
  return answer(c, picture, seed, model.manifest.version);
});

async function answer(c: Context<AppEnv>, image: GreyImage, seed: number, weightsVersion: string): Promise<Response> {
  const metrics = c.var.metrics;
  const png = await metrics.time('encode', () => encodePng(image));
  return new Response(png, {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'X-Seed': String(seed), 'X-Weights-Version': weightsVersion, 'Server-Timing': metrics.serverTiming() },
  });
}
