/**
 * What one request cost, phase by phase: the `Server-Timing` header of
 * generation responses and the request's log line (src/http/log.ts) read it.
 *
 * A deployed Worker's clock advances only across I/O (a Spectre mitigation),
 * so there CPU phases (decode, model, encode) read 0 and only `cache` is real;
 * wrangler dev and workerd locally measure every phase.
 */
import type { DecodeWork } from '../image/decode';
import type { Env } from './env';

export type Phase = 'decode' | 'model' | 'encode' | 'cache';

interface Timed {
  phase: Phase;
  ms: number;
  desc?: string;
}

export class RequestMetrics implements DecodeWork {
  inflatedBytes = 0;
  readonly timed: Timed[] = [];

  /** Runs `work` as `phase`; `describe` labels the outcome (the cache's hit or miss). */
  async time<T>(phase: Phase, work: () => T | Promise<T>, describe?: (result: T) => string): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.timed.push({ phase, ms: performance.now() - started, desc: describe?.(result) });
    return result;
  }

  /** `model;dur=41.2, encode;dur=1.3, cache;desc="miss";dur=0.4`, or '' when nothing was timed. */
  serverTiming(): string {
    return this.timed.map((t) => `${t.phase}${t.desc ? `;desc="${t.desc}"` : ''};dur=${t.ms.toFixed(1)}`).join(', ');
  }

  /** Milliseconds per phase, for the log line. */
  phases(): Partial<Record<Phase, number>> {
    return Object.fromEntries(this.timed.map((t) => [t.phase, +t.ms.toFixed(1)]));
  }
}

/** The Hono environment every route module shares: the Worker's bindings, and one RequestMetrics per request. */
export type AppEnv = { Bindings: Env; Variables: { metrics: RequestMetrics } };
