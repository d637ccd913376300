/**
 * Seeded randomness that gives the same numbers on every platform.
 *
 * tf.randomNormal's generators differ between backends and seed 0 means
 * "unseeded", so every random number that must be reproducible (sampler
 * noise, training noise, data order, dropout) comes from here instead.
 * xoshiro128** for the integers, Marsaglia's polar method for the Gaussians.
 * Every value depends only on 32-bit integer maths, operations IEEE 754
 * rounds exactly (+ − × ÷, and sqrt, which engines compile to the processor's
 * or wasm's correctly rounded instruction) and the log of portable-math.ts,
 * built from those: so every JavaScript engine draws the same bits, not only
 * V8. (Box-Muller needed Math.log, Math.sin and Math.cos, whose last bit each
 * engine chooses: in QuickJS 1.5 % of its float64 values differed from V8's.)
 */
import { log } from './portable-math';

/** Serialisable generator state, so a resumed training run continues the same stream. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;

  constructor(seed: number) {
    // splitmix32 spreads a single 32-bit seed over the four state words.
    this.s = new Uint32Array(4);
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let x = z;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
      this.s[i] = (x ^ (x >>> 16)) >>> 0;
    }
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.s.set(state.s);
    rng.spare = state.spare;
    return rng;
  }

  state(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spare: this.spare };
  }

  /** Next uniformly distributed uint32. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Standard normal sample (Marsaglia's polar method, keeping the second value
   * for the next call): a point uniform in the unit disc, (u, v), has a uniform
   * angle, so (u, v)/√s · √(−2 ln s) with s = u² + v² is a Box-Muller pair without
   * the sine and cosine. 21.5 % of the points fall outside the disc and are drawn again.
   */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = Math.sqrt((-2 * log(s)) / s);
    this.spare = v * scale;
    return u * scale;
  }

  /** n standard normal samples as float32. */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
