/**
 * Editing an uploaded picture.
 * POST /inpaint — regenerate the masked part as a digit, keeping the rest.
 * POST /restyle — SDEdit the picture toward another digit.
 * Body: a PNG (Content-Type image/png) or multipart/form-data with file fields
 * image (and, for /inpaint, mask). The answer is a grey PNG at the upload's size
 * and polarity. POST answers are not cached; the seed (X-Seed) reproduces them.
 */
import { Hono } from 'hono';
import { ApiError } from '../errors';
import { readUpload } from '../http/upload';
import { decodePng } from '../image/decode';
import { maskFromImage, maskFromRect } from '../image/mask';
import { encodePng, type GreyImage } from '../image/png';
import { inpaintImage, restyleImage } from '../model/edit';
import { getModel } from '../model/runtime';
import { drawSeed, inpaintParams, inpaintSchema, parseQuery, required, restyleSchema, withDefaults } from '../params';

export const editRoutes = new Hono();

editRoutes.post('/inpaint', async (c) => {
  const q = parseQuery(new URL(c.req.url).searchParams, inpaintSchema);
  const digit = required(q.digit, 'digit', 'the class to draw into the masked region, 0-9');
  const upload = await readUpload(c, ['image', 'mask']);
  if (upload.mask && q.mask) throw new ApiError(400, 'invalid_mask', 'the mask is given twice: send either the mask file field or mask=x,y,w,h, not both');
  if (!upload.mask && !q.mask) throw new ApiError(400, 'invalid_mask', 'no mask: send a mask PNG (white = regenerate, black = keep) as the mask field, or mask=x,y,w,h in the query');
  const image = await decodePng(upload.image, 'the image');
  const mask = upload.mask ? maskFromImage(await decodePng(upload.mask, 'the mask', 0), image) : maskFromRect(q.mask!, image);
  const model = await getModel();
  const params = inpaintParams(q, model.manifest.sampling);
  const seed = drawSeed(params.seed);
  return answer(await inpaintImage(model, { ...params, digit, seed, image, mask }), seed, model.manifest.version);
});

editRoutes.post('/restyle', async (c) => {
  const q = parseQuery(new URL(c.req.url).searchParams, restyleSchema);
  const to = required(q.to, 'to', 'the class to turn the picture into, 0-9');
  const strength = required(q.strength, 'strength', 'from 0 (keep the picture) to 1 (ignore it)');
  const upload = await readUpload(c, ['image']);
  const image = await decodePng(upload.image, 'the image');
  const model = await getModel();
  const params = withDefaults(q, model.manifest.sampling);
  const seed = drawSeed(params.seed);
  return answer(await restyleImage(model, { ...params, digit: to, seed, strength, image }), seed, model.manifest.version);
});

function answer(image: GreyImage, seed: number, weightsVersion: string): Response {
  return new Response(encodePng(image) as Uint8Array<ArrayBuffer>, {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'X-Seed': String(seed), 'X-Weights-Version': weightsVersion },
  });
}
