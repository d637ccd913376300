/**
 * The rate limit on drawing, in workerd with Miniflare's Rate Limiting
 * binding, configured small so the tests spend it: per client
 * (CF-Connecting-IP, which the tests set as Cloudflare would), priced by
 * estimated CPU, answered 429 JSON with Retry-After; cache hits, 304s,
 * refusals and local requests free.
 *
 * Miniflare counts in fixed windows (the period's multiples of Date.now()):
 * each test starts well inside one, uses client addresses of its own, and
 * checks at its end that no window boundary passed under it.
 */
import fs from 'node:fs';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitConfig } from '../scripts/build/worker-options';
import { editCost, priceInUnits, sheetCost } from '../src/cost';
import { clientKey } from '../src/http/rate-limit';
import type { UNetConfig } from '../src/model/unet';
import { greyPng } from './helpers/png';
import { GENERAL, SERVED_DEFAULTS, startWorker } from './helpers/worker';

const LIMIT: RateLimitConfig = { limit: 12, period: 60 };
const architecture = (dir: string) => JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')).architecture as UNetConfig;
const [general, fewStep] = [architecture('weights'), architecture('weights/few-step')];

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker(undefined, LIMIT);
});
afterAll(() => mf.dispose());

let clients = 0;
/** A client address no other test uses (from the documentation ranges). */
const newClient = () => `203.0.113.${++clients}`;
/** A request as Cloudflare forwards it from `ip` (null: a local request, with no such header). */
function from(ip: string | null, path: string, init: RequestInit = {}) {
  const headers = { ...(ip === null ? {} : { 'CF-Connecting-IP': ip }), ...(init.headers as Record<string, string>) };
  return mf.dispatchFetch(`http://localhost${path}`, { ...init, headers } as never);
}
async function status(ip: string | null, path: string, init?: RequestInit): Promise<number> {
  const res = await from(ip, path, init);
  await res.arrayBuffer();
  return res.status;
}
/** Uncached default digits from `ip` until one is refused: how many were drawn (each costs one unit). */
async function drawUntilRefused(ip: string): Promise<number> {
  for (let drawn = 0; drawn <= LIMIT.limit; drawn++) if ((await status(ip, '/digit/1.png')) === 429) return drawn;
  throw new Error(`${ip} drew more than the limit of ${LIMIT.limit}`);
}

const windowOf = (ms: number) => Math.floor(ms / (LIMIT.period * 1000));
/** Runs `test` inside one window: waits for the next if less than 20 s of this one are left, and fails if a boundary passed meanwhile. */
async function inOneWindow(test: () => Promise<void>): Promise<void> {
  const left = LIMIT.period * 1000 - (Date.now() % (LIMIT.period * 1000));
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
  const started = Date.now();
  await test();
  expect(windowOf(Date.now()), 'a window boundary passed during the test (it is retried)').toBe(windowOf(started));
}

describe('a client over its share', () => {
  it('is answered 429 JSON with Retry-After, while other clients and local requests are still served', { retry: 1, timeout: 120_000 }, () =>
    inOneWindow(async () => {
      const [a, b] = [newClient(), newClient()];
      expect(await drawUntilRefused(a)).toBe(LIMIT.limit);
      const refused = await from(a, '/digit/2.png?steps=5');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe(String(LIMIT.period));
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      const body = (await refused.json()) as { error: string; detail: string };
      expect(body.error).toBe('rate_limited');
      expect(body.detail).toMatch(/this request costs \d+ units? .*Retry-After.*\/client\.js/);
      expect(await status(b, '/digit/1.png')).toBe(200);
      // Cloudflare always sets the header: without it, or from loopback, a request is local.
      for (const local of [null, '127.0.0.1', '::1']) expect(await status(local, '/digit/1.png'), String(local)).toBe(200);
      // Every generation route draws through the same limit.
      expect(await status(a, '/sheet.png?digits=1&seeds=1&steps=1')).toBe(429);
      expect(await status(a, '/digit/1.apng?steps=2')).toBe(429);
      expect(await status(a, '/restyle?to=3&strength=0.5&steps=1', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: greyPng(28, 28, new Array(784).fill(0)) })).toBe(429);
      expect(await status(a, '/number/12.png?steps=1')).toBe(429);
      // A stroke to measure: a vertical bar.
      const bar = greyPng(28, 28, Array.from({ length: 784 }, (_, i) => (i % 28 >= 12 && i % 28 < 15 && i > 4 * 28 && i < 24 * 28 ? 255 : 0)));
      expect(await status(a, '/imitate?digits=12&steps=1', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bar })).toBe(429);
    }));

  it('still gets cached answers, 304s and its own mistakes for free', { retry: 1, timeout: 120_000 }, () =>
    inOneWindow(async () => {
      const a = newClient();
      const seeded = `/digit/8.png?seed=${800 + clients}`;
      const drawn = await from(null, seeded);
      const etag = drawn.headers.get('etag')!;
      await drawn.arrayBuffer();
      expect(await drawUntilRefused(a)).toBe(LIMIT.limit);
      const hit = await from(a, seeded);
      expect([hit.status, hit.headers.get('x-cache')]).toEqual([200, 'HIT']);
      await hit.arrayBuffer();
      expect(await status(a, seeded, { headers: { 'If-None-Match': etag } })).toBe(304);
      expect(await status(a, '/digit/8.png?steps=0')).toBe(400);
      expect(await status(a, '/model')).toBe(200);
      // Still over its share: none of those paid, and none was let through for free that draws.
      expect(await status(a, '/digit/8.png')).toBe(429);
    }));
});

describe('the price', () => {
  it('follows the estimated cost: a sheet spends several units at once', { retry: 1, timeout: 120_000 }, () =>
    inOneWindow(async () => {
      const a = newClient();
      // 40 digits at 3 steps (the general set) at guidance its default.
      const price = priceInUnits(sheetCost({ unet: general, images: 40, steps: 3, guidance: GENERAL.sampling.defaultGuidance }, 28));
      expect(price).toBeGreaterThan(1);
      expect(price).toBeLessThan(LIMIT.limit);
      expect(await status(a, '/sheet.png?digits=0123&seeds=10&steps=3')).toBe(200);
      expect(await drawUntilRefused(a)).toBe(LIMIT.limit - price);
    }));

  it('of an upload follows the picture’s size, read from its header before decoding', { retry: 1, timeout: 120_000 }, () =>
    inOneWindow(async () => {
      const [small, large] = [newClient(), newClient()];
      const restyle = (pixels: number[], side: number) => ({ method: 'POST', headers: { 'Content-Type': 'image/png' }, body: greyPng(side, side, pixels) });
      const steps = SERVED_DEFAULTS.defaultSteps; // drawn by the few-step set
      const big = restyle(new Array(1024 * 1024).fill(0), 1024);
      expect(priceInUnits(editCost({ unet: fewStep, images: 1, steps, guidance: SERVED_DEFAULTS.defaultGuidance }, { pixels: 1024 * 1024, pictureBytes: big.body.length }, false))).toBeGreaterThan(LIMIT.limit);
      expect(await status(small, `/restyle?to=3&strength=0.5&steps=${steps}`, restyle(new Array(784).fill(0), 28))).toBe(200);
      expect(await status(large, `/restyle?to=3&strength=0.5&steps=${steps}`, big)).toBe(429);
    }));

  it('is paid per /64 for IPv6: one subscriber’s addresses share a share', { retry: 1, timeout: 120_000 }, () =>
    inOneWindow(async () => {
      const prefix = `2001:db8:${clients++}:1`;
      expect(await drawUntilRefused(`${prefix}::1`)).toBe(LIMIT.limit);
      expect(await status(`${prefix}:ffff:0:0:2`, '/digit/1.png')).toBe(429);
      expect(await status(`2001:db8:${clients}:2::1`, '/digit/1.png')).toBe(200);
    }));
});

describe('the client key', () => {
  it('is the IPv4 address, the IPv6 /64, or none for a local request', () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey(' 198.51.100.7 ')).toBe('198.51.100.7');
    expect(clientKey('2001:DB8:a:b:1:2:3:4')).toBe('2001:db8:a:b::/64');
    expect(clientKey('2001:db8:a:b::9')).toBe('2001:db8:a:b::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    for (const local of [undefined, '', '127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(clientKey(local), String(local)).toBeNull();
    // Not an address Cloudflare would send: limited under its own name rather than let through.
    expect(clientKey('not-an-ip')).toBe('not-an-ip');
    expect(clientKey('1::2::3')).toBe('1::2::3');
  });
});
