/** The parts of the workerd bench that parse what the Worker sends. */
import { describe, expect, it } from 'vitest';
import { parseServerTiming } from '../scripts/bench/workerd';

describe('Server-Timing', () => {
  it('reads each entry with a duration, ignoring descriptions and entries without one', () => {
    expect(parseServerTiming('model;dur=12.5, encode;dur=0.7, cache;desc="miss";dur=1, note')).toEqual({ model: 12.5, encode: 0.7, cache: 1 });
    expect(parseServerTiming(null)).toEqual({});
  });
});
