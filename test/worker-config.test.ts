/**
 * The tests, benches and pictures run the Worker through Miniflare with
 * scripts/build/worker-options.ts; `npm start` and `npm run deploy` read
 * wrangler.toml. Both must give workerd the same Worker: wrangler's own
 * reading of wrangler.toml (the options `wrangler dev` hands Miniflare) is
 * compared with ours, binding by binding.
 */
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { expect, it } from 'vitest';
import { bundledWorkerOptions, GENERATION_LIMIT } from '../scripts/build/worker-options';
import { BUNDLE_DIR } from './helpers/worker';

it('gives workerd the compatibility date, module rules, static assets, rate limit and vars of wrangler.toml', { timeout: 60_000 }, () => {
  const wrangler = unstable_getMiniflareWorkerOptions('wrangler.toml').workerOptions as unknown as Record<string, any>;
  const ours = bundledWorkerOptions(BUNDLE_DIR) as Record<string, any>;
  expect(ours.compatibilityDate).toBe(wrangler.compatibilityDate);
  expect(wrangler.compatibilityFlags ?? []).toEqual([]);
  // wrangler appends its default rules after the file's; the file's own come first.
  for (const [i, rule] of ours.modulesRules.entries()) expect(wrangler.modulesRules[i]).toMatchObject(rule);
  expect(ours.assets).toMatchObject({ directory: wrangler.assets.directory, binding: wrangler.assets.binding, routerConfig: wrangler.assets.routerConfig });
  expect(Object.keys(ours.ratelimits)).toEqual(Object.keys(wrangler.ratelimits));
  for (const [name, limit] of Object.entries(wrangler.ratelimits as Record<string, { namespace_id: string; simple: unknown }>)) {
    expect(ours.ratelimits[name].simple, name).toEqual(limit.simple);
    expect(ours.ratelimits[name].namespace_id, name).toBe(limit.namespace_id);
  }
  expect(ours.bindings).toEqual(wrangler.bindings);
  // The period a 429 announces is the limit's own.
  expect(ours.bindings.GENERATION_LIMIT_PERIOD).toBe(GENERATION_LIMIT.period);
});
