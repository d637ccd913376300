/**
 * POST /imitate?digits=… — digits written in the hand of an uploaded one. The
 * upload follows /restyle's rules (src/http/upload.ts) and is normalised as
 * /restyle sees pictures (28×28, white ink on black: src/image/normalise.ts);
 * its slant and thickness are measured there (src/image/style.ts), clamped into
 * the range the weights serve, and the digits drawn as GET /number draws them
 * in that style. Not cached, as an upload's answer; the seed reproduces it.
 */
import { Hono } from 'hono';
import { numberCost } from '../cost';
import { ApiError } from '../errors';
import type { AppEnv } from '../http/metrics';
import { binary, documented, IMITATE_HEADERS, TAGS, validated } from '../http/openapi';
import { payForDrawing } from '../http/rate-limit';
import { readUpload, uploadBody } from '../http/upload';
import { declaredPixels, decodePng } from '../image/decode';
import { toModelView } from '../image/normalise';
import { measureStyle } from '../image/style';
import { planNumber } from '../model/number';
import { getModel } from '../model/runtime';
import { clampStyle, roundStyle, styleStatsOf } from '../model/style-prior';
import { LIMITS } from '../limits';
import { drawSeed, imitateQuery, styleHeader, styleUnavailable, withDefaults } from '../params';
import { drainRefused, drawsWith, uploadRefusals } from './edit';
import { renderNumber } from './number';

const route = documented({
  method: 'post',
  path: '/imitate',
  tags: [TAGS.editing.name],
  summary: 'Write digits in the hand of an uploaded digit',
  description:
    'Upload one handwritten digit (the rules of /restyle: any size, white-on-black or dark-on-light). Its slant and thickness are measured on the picture as the model sees it (28×28, white ink on black), ' +
    `rounded to 3 decimals and clamped into the range the weights serve, and \`digits\` (1 to ${LIMITS.maxNumberDigits}) are drawn in that style exactly as GET /number/{digits}.png draws them with that seed, slant and thickness. ` +
    'X-Style-Measured is the measurement, X-Style what was drawn. A picture with no stroke is refused with blank_image.',
  request: { query: imitateQuery, body: uploadBody(['image']) },
  responses: {
    200: { description: 'the digits in the upload’s hand: a grey PNG, white on black, size px high', headers: IMITATE_HEADERS, content: binary('image/png') },
    ...uploadRefusals(['blank_image', 'style_unavailable', 'over_budget']),
  },
});

export const imitateRoutes = new Hono<AppEnv>();

imitateRoutes.use('/imitate', drainRefused);

imitateRoutes.post('/imitate', validated(route.request), async (c) => {
  const q = c.req.valid('query');
  const drawer = drawsWith(q.steps, true);
  const stats = styleStatsOf(drawer);
  if (!stats) throw styleUnavailable(drawer);
  const params = withDefaults(q, drawer.sampling);
  const upload = await readUpload(c, ['image']);
  const drawing = { unet: drawer.architecture, images: q.digits.length, steps: params.steps, guidance: params.guidance };
  await payForDrawing(c, numberCost(drawing, params.size, declaredPixels(upload.image)));
  const metrics = c.var.metrics;
  const measured = await metrics.time('decode', () => {
    const view = toModelView(decodePng(upload.image, 'the image', { work: metrics }), drawer.architecture.imageSize);
    return measureStyle(view.image.pixels, view.image.width);
  });
  // No pixel at stroke level: measureStyle finds no skeleton and reads thickness 0.
  if (measured.thickness === 0) {
    throw new ApiError(400, 'blank_image', 'the picture has no stroke: as the model sees it (28×28, white ink on black; a light border means dark ink on light paper) no pixel reaches grey 128. Send one handwritten digit');
  }
  const rounded = roundStyle(measured);
  const style = clampStyle(stats, rounded);
  const model = await getModel(q.steps, true);
  const seed = drawSeed(params.seed);
  const spacing = q.spacing ?? 'cells';
  const plan = planNumber(seed, q.digits.length, stats, style);
  const png = await renderNumber(model, { digits: q.digits, plan, steps: params.steps, guidance: params.guidance, sampler: params.sampler, spacing }, params.size, metrics);
  return new Response(png, {
    headers: {
      'Content-Type': 'image/png',
      'Cache-Control': 'no-store',
      'X-Seed': String(seed),
      'X-Style': styleHeader(style),
      'X-Style-Measured': styleHeader(rounded),
      'X-Weights-Version': model.manifest.version,
      'Server-Timing': metrics.serverTiming(),
    },
  });
});
