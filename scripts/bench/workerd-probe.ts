/**
 * A Worker entry for `npm run bench` only, never deployed: the app of
 * src/index.ts, unchanged, plus GET /__sections, which times inside the
 * isolate what a request to `path` spends there. workerd under Miniflare
 * advances performance.now() during computation (production Workers freeze
 * it until I/O), but in whole milliseconds, so each part runs `reps` times
 * in one timed loop and the answer is the mean:
 *  - appMs: the app's whole handling of `path` (routing, query, model, PNG,
 *    Response), body read;
 *  - for a /digit/ or /number/ path, the route's two big parts as it calls
 *    them: modelMs (drawDigits, or drawNumber in cells with a hand drawn from
 *    each seed as an unseeded request gets, with the weight set that draws the
 *    path's steps, as getModel picks it (a number, or a slant or thickness, is
 *    in a hand), at the path's steps, else that set's default steps, and that
 *    set's default guidance and sampler) and pngMs
 *    (the 28 px high upscale + PNG encode). The answer names the weights,
 *    steps, guidance and sampler it timed, so the bench can check them against
 *    the deployed Worker's.
 * Bundled by wrangler with wrangler.toml's module rules (scripts/bench/bundle.ts).
 */
import app from '../../src/index';
import type { Env } from '../../src/http/env';
import type { GreyImage } from '../../src/image/grey';
import { encodePng, upscaleNearest } from '../../src/image/png';
import { drawDigits } from '../../src/model/generate';
import { drawNumber, planNumber } from '../../src/model/number';
import { getModel } from '../../src/model/runtime';
import type { SamplerName } from '../../src/model/sampler';
import { samplingAt } from '../../src/model/sampling-defaults';
import { asksForStyle, styleStatsOf } from '../../src/model/style-prior';

/** What GET /__sections answers. */
export interface Sections {
  appMs: number;
  /** Digit and number paths only: what modelMs and pngMs timed. */
  drawn?: { weightsVersion: string; steps: number; guidance: number; sampler: SamplerName; modelMs: number; pngMs: number };
}

async function loop(reps: number, fn: (rep: number) => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  for (let rep = 0; rep < reps; rep++) await fn(rep);
  return (performance.now() - t0) / reps;
}

async function sections(url: URL, env: Env, ctx: ExecutionContext): Promise<Response> {
  const target = new URL(url.searchParams.get('path') ?? '/healthz', url);
  const reps = Number(url.searchParams.get('reps') ?? 20);
  const appMs = await loop(reps, async () => (await app.fetch(new Request(target), env, ctx)).arrayBuffer());
  const number = /^\/number\/(\d+)\.png$/.exec(target.pathname)?.[1];
  if (!target.pathname.startsWith('/digit/') && !number) return Response.json({ appMs } satisfies Sections);
  const query = target.searchParams.get('steps');
  const given = (d: string) => (target.searchParams.has(d) ? Number(target.searchParams.get(d)) : undefined);
  const inHand = number !== undefined || asksForStyle({ slant: given('slant'), thickness: given('thickness') });
  const model = await getModel(query === null ? undefined : Number(query), inHand);
  const s = model.manifest.sampling;
  const steps = query === null ? s.defaultSteps : Number(query);
  const drawing = { steps, guidance: samplingAt(s, steps).defaultGuidance, sampler: s.defaultSampler };
  const stats = styleStatsOf(model.manifest);
  if (number && !stats) throw new Error(`${model.manifest.name} has no style inputs: it cannot draw ${target.pathname}`);
  const digits = [...(number ?? '')].map(Number);
  let image: GreyImage | undefined;
  const modelMs = await loop(reps, async (rep) => {
    if (number) image = await drawNumber(model, { digits, plan: planNumber(2_000_000 + rep, digits.length, stats!, null), spacing: 'cells', ...drawing });
    else [image] = await drawDigits(model, { digits: [5], seeds: [2_000_000 + rep], ...drawing });
  });
  const pngMs = await loop(reps, () => encodePng(upscaleNearest(image!, image!.width, image!.height)));
  return Response.json({ appMs, drawn: { weightsVersion: model.manifest.version, ...drawing, modelMs, pngMs } } satisfies Sections);
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    const url = new URL(request.url);
    return url.pathname === '/__sections' ? sections(url, env, ctx) : app.fetch(request, env, ctx);
  },
};
