/** GET /digit/:digit.png — one freshly generated handwritten digit. */
import { Hono } from 'hono';
import { cachedRender } from '../http/cache';
import { encodePng, upscaleNearest } from '../image/png';
import { drawDigits } from '../model/generate';
import { getModel } from '../model/runtime';
import { canonicalQuery, parseDigit, parseGenerationQuery, withDefaults } from '../params';
import { ApiError } from '../errors';

export const digitRoutes = new Hono();

digitRoutes.get('/digit/:file', async (c) => {
  const match = /^(.*)\.png$/.exec(c.req.param('file'));
  if (!match) throw new ApiError(404, 'not_found', `no such image ${JSON.stringify(c.req.param('file'))}; ask for /digit/<0-9>.png`);
  const digit = parseDigit(match[1]);
  const query = parseGenerationQuery(new URL(c.req.url).searchParams);
  const model = await getModel();
  const params = withDefaults(query, model.manifest.sampling);
  const seed = params.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];

  const canonical = `/digit/${digit}.png?${canonicalQuery({ guidance: params.guidance, sampler: params.sampler, seed, size: params.size, steps: params.steps })}`;
  const render = async () => {
    const [image] = await drawDigits(model, { digits: [digit], seeds: [seed], steps: params.steps, guidance: params.guidance, sampler: params.sampler });
    return encodePng(upscaleNearest(image, params.size, params.size));
  };
  const headers = { 'X-Seed': String(seed), 'X-Weights-Version': model.manifest.version };
  if (params.seed === null) {
    // A random draw is not repeatable by URL: never cache it, but say how to get it again.
    return new Response(await render(), { headers: { ...headers, 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'Content-Location': canonical } });
  }
  return cachedRender(c, { canonical, weightsVersion: model.manifest.version, contentType: 'image/png', render, headers });
});
