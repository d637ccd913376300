/**
 * A run's conditioning (timestep, class, guidance-scale and step-size features
 * through the embedding MLP, then each residual block's projection: unet.ts
 * `conditioning`) depends on what was asked, never on the noise. The default
 * request for a digit asks the same every time, so an isolate can make it once:
 * it is about 70 of the 173 kernel calls of the default request, which are
 * small enough that each call's overhead, not its arithmetic, is the cost.
 *
 * Entries are plain arrays, not tensors: /healthz's tensor count must stay flat
 * from request to request, and nothing need be disposed on eviction. A hit makes
 * the same bytes as a miss (the arrays are the tensors' own values).
 */
import type { Params } from './unet';

/** One block's conditioning for every step of a run: [steps × rows, channels], row-major. */
export interface BlockConditioning {
  values: Float32Array;
  channels: number;
}

export type RunConditioning = Record<string, BlockConditioning>;

/** Floats kept per weight set: 1 MiB, thousands of single-digit runs. */
export const CACHE_FLOATS = 1 << 18;

/** A least-recently-used map from a run's key to its conditioning, bounded by the floats it holds. */
export class ConditioningCache {
  private readonly entries = new Map<string, RunConditioning>();
  private floats = 0;

  constructor(readonly budget = CACHE_FLOATS) {}

  get(key: string): RunConditioning | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** Keeps `value` unless it would take more than an eighth of the budget (a large sheet must not flush every digit). */
  set(key: string, value: RunConditioning): void {
    const size = floatsOf(value);
    if (size > this.budget / 8 || this.entries.has(key)) return;
    this.entries.set(key, value);
    this.floats += size;
    for (const [oldest, entry] of this.entries) {
      if (this.floats <= this.budget) break;
      this.entries.delete(oldest);
      this.floats -= floatsOf(entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get heldFloats(): number {
    return this.floats;
  }
}

const floatsOf = (run: RunConditioning) => Object.values(run).reduce((n, block) => n + block.values.length, 0);

/** One cache per weight set, living as long as its parameters do. */
const caches = new WeakMap<Params, ConditioningCache>();

export function conditioningCacheOf(params: Params): ConditioningCache {
  let cache = caches.get(params);
  if (!cache) caches.set(params, (cache = new ConditioningCache()));
  return cache;
}
