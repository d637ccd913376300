/**
 * The rate limit on drawing: Workers' Rate Limiting binding ([[ratelimits]]
 * in wrangler.toml), one counter per client. A request pays its price
 * (src/cost.ts: one unit per started 25 ms of estimated CPU) just before it
 * draws, so cache hits, 304s and refused requests pay nothing. A request
 * whose price is not left in the client's window is answered 429; the units
 * it did pay stay spent until the window ends.
 *
 * The client is CF-Connecting-IP, which Cloudflare sets on every request it
 * forwards: IPv4 by address, IPv6 by /64 (what one subscriber is given, so a
 * client cannot step around the limit within its own prefix). A request
 * without it, or from a loopback address (Miniflare and `wrangler dev` set
 * 127.0.0.1 on local requests), is local: `npm start`, the tests and the
 * benches are never limited.
 */
import type { Context } from 'hono';
import { priceInUnits } from '../cost';
import { ApiError } from '../errors';
import { LIMITS } from '../limits';
import type { AppEnv } from './metrics';

/** [[ratelimits]] periods are 10 or 60 s; a deployment without the [vars] entry gets the longer. */
const DEFAULT_PERIOD_S = 60;

export async function payForDrawing(c: Context<AppEnv>, estimatedMs: number): Promise<void> {
  const limiter = c.env?.GENERATION_LIMIT;
  const client = clientKey(c.req.header('CF-Connecting-IP'));
  if (!limiter || client === null) return;
  const price = priceInUnits(estimatedMs);
  // The binding counts one per call: a request of n units is n calls.
  for (let paid = 0; paid < price; paid++) {
    if ((await limiter.limit({ key: client })).success) continue;
    const period = c.env.GENERATION_LIMIT_PERIOD ?? DEFAULT_PERIOD_S;
    throw new ApiError(
      429,
      'rate_limited',
      `this client has used its share of drawing for now: this request costs ${price} unit${price === 1 ? '' : 's'} (one per ${LIMITS.rateUnitMs} ms of estimated CPU) and the limit counts per ${period} s; try again after Retry-After seconds. Answers already cached (a seeded URL drawn before, or a matching If-None-Match) are free, and /client.js draws on your own CPU`,
      { 'Retry-After': String(period) },
    );
  }
}

/** The limit's key for a CF-Connecting-IP value; null for a local request (none, or loopback). */
export function clientKey(ip: string | undefined): string | null {
  const address = ip?.trim().toLowerCase();
  if (!address) return null;
  if (!address.includes(':')) return address.startsWith('127.') ? null : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return clientKey(mapped[1]);
  const groups = ipv6Groups(address);
  if (!groups) return address; // not an address Cloudflare would send: keyed as it is
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return null;
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address in text form (`::` expanded), or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const [head, tail] = halves.map((h) => (h ? h.split(':') : []));
  const written = [...head, ...(tail ?? [])];
  if (written.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const missing = 8 - written.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...(tail ?? [])].map((g) => parseInt(g, 16));
}
