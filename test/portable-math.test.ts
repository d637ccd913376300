/**
 * The same bytes in every engine: the log and cos of src/model/portable-math.ts
 * are accurate (checked against V8's Math.log/Math.cos), and nothing the Worker
 * or the browser client runs calls a Math function whose last bit each engine
 * chooses (ECMAScript calls them "implementation-approximated").
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cosQuarterTurn, log } from '../src/model/portable-math';
import { Rng } from '../src/model/rng';

/** The distance from x to the next double away from zero. */
function ulp(x: number): number {
  const bits = new BigUint64Array(Float64Array.of(Math.abs(x)).buffer);
  bits[0] += 1n;
  return new Float64Array(bits.buffer)[0] - Math.abs(x);
}

describe('portable log', () => {
  it('is within one unit in the last place of Math.log from 1e-300 to 1e300', () => {
    const rng = new Rng(5);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      // log-uniform over the range, plus the polar method's domain (0, 1) densely.
      const x = i % 2 ? rng.uniform() + 2 ** -33 : 10 ** (600 * rng.uniform() - 300);
      worst = Math.max(worst, Math.abs(log(x) - Math.log(x)) / ulp(Math.log(x) || 1));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('is exact where the answer is', () => {
    expect(log(1)).toBe(0);
    expect(log(2)).toBe(Math.LN2);
    expect(log(1024)).toBe(10 * Math.LN2);
    expect(log(0.5)).toBe(-Math.LN2);
  });

  it('refuses what has no real log', () => {
    for (const x of [0, -1, Infinity, NaN]) expect(() => log(x)).toThrow(RangeError);
  });
});

describe('portable cos of a quarter turn', () => {
  it('is within one unit in the last place of Math.cos up to π/4, and within 3e-16 up to π/2', () => {
    let worstUlps = 0;
    let worstAbs = 0;
    for (let i = 0; i <= 100_000; i++) {
      const u = i / 100_000;
      const mine = cosQuarterTurn(u);
      const reference = Math.cos(u * (Math.PI / 2));
      worstAbs = Math.max(worstAbs, Math.abs(mine - reference));
      if (u <= 0.5) worstUlps = Math.max(worstUlps, Math.abs(mine - reference) / ulp(reference));
    }
    expect(worstUlps).toBeLessThanOrEqual(1);
    // Past ½ the argument is rounded differently ((1 − u)·π/2), and near u = 1 Math.cos(u·π/2)
    // itself carries the 6e-17 of π/2's rounding; cosQuarterTurn(1) is exactly 0.
    expect(worstAbs).toBeLessThan(3e-16);
    expect(cosQuarterTurn(0)).toBe(1);
    expect(cosQuarterTurn(1)).toBe(0);
    expect(cosQuarterTurn(0.5)).toBeCloseTo(Math.SQRT1_2, 15);
  });
});

describe('nothing engine-specific on the drawing path', () => {
  // Math functions ECMAScript leaves to each engine's approximation, and the ** operator (also approximated).
  const APPROXIMATED = /Math\.(exp|expm1|log|log1p|log2|log10|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|pow|cbrt|hypot)\b|[\w)\]]\s*\*\*\s*[\w(]/;
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  /** Code without comments, so a comment may still name what the code avoids. */
  const code = (file: string) => fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  // Both the Worker and the browser client draw with everything under src/model, src/image and src/client.
  const drawingPath = ['src/model', 'src/image', 'src/client'].flatMap(files);

  it('uses no approximated Math function or ** in src/model, src/image or src/client', () => {
    expect(drawingPath.length).toBeGreaterThan(20);
    const offenders = drawingPath.filter((file) => APPROXIMATED.test(code(file)));
    expect(offenders).toEqual([]);
  });

  it('the scan finds what it looks for', () => {
    for (const line of ['const r = Math.log(u);', 'y = Math.cos(2 * Math.PI * u2)', 'c = f(t) ** 2;', 'Math.expm1(-h)']) expect(APPROXIMATED.test(line)).toBe(true);
    for (const line of ['Math.sqrt(x)', 'Math.round(t)', '/** x ** 2 */'.replace(/\/\*[\s\S]*?\*\//g, ''), 'const logScale = 1']) expect(APPROXIMATED.test(line)).toBe(false);
  });
});
