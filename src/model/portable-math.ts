/**
 * log and cos built only from operations IEEE 754 rounds exactly (+ − × ÷,
 * comparisons, multiplying by powers of two), evaluated in a fixed order, so
 * every JavaScript engine computes the same bits. Math.log, Math.cos and the
 * rest are "implementation-approximated" in ECMAScript: V8, SpiderMonkey and
 * JavaScriptCore may differ in the last bit, and one flipped bit in the noise
 * or the schedule can flip a grey level of the picture.
 *
 * The polynomials are fdlibm's (Sun, 1993: e_log.c, k_sin.c, k_cos.c), the
 * same minimax fits most engines' own libm started from; accuracy is about
 * one unit in the last place, tested against Math.log/Math.cos in
 * test/portable-math.test.ts.
 */

const LN2_HI = 6.93147180369123816490e-1; // ln 2's leading 32 bits: k·LN2_HI is exact for |k| < 2^20
const LN2_LO = 1.90821492927058770002e-10;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

const TWO_32 = 4294967296;

/** Natural logarithm of a positive, normal, finite x. */
export function log(x: number): number {
  if (!(x > 0 && x < Infinity)) throw new RangeError(`log: ${x} is not positive and finite`);
  // x = 2^k · m with √½ ≤ m < √2, by exact scalings (x normal: no subnormal step loses bits).
  let m = x;
  let k = 0;
  while (m >= TWO_32) {
    m /= TWO_32;
    k += 32;
  }
  while (m < 1 / TWO_32) {
    m *= TWO_32;
    k -= 32;
  }
  while (m >= Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  while (m < Math.SQRT1_2) {
    m *= 2;
    k -= 1;
  }
  // log(m) = log(1+f) = 2·atanh(s) with s = f/(2+f), |s| < 0.172; f = m − 1 is exact (Sterbenz).
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  const halfSquare = 0.5 * f * f;
  return k * LN2_HI - (halfSquare - (s * (halfSquare + r) + k * LN2_LO) - f);
}

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.08757232129817482790e-9;
const C6 = -1.13596475577881948265e-11;

/** sin x for |x| ≤ π/4. */
function sinKernel(x: number): number {
  const z = x * x;
  return x + z * x * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
}

/** cos x for |x| ≤ π/4. */
function cosKernel(x: number): number {
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  return 1 - (0.5 * z - z * r);
}

/**
 * cos(u·π/2) for u in [0, 1], a quarter turn: the cosine schedule's only angle.
 * Past u = ½ it is sin((1 − u)·π/2), so both kernels stay within π/4 and need
 * no argument reduction (1 − u is exact there).
 */
export function cosQuarterTurn(u: number): number {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`cosQuarterTurn: ${u} is outside [0, 1]`);
  return u <= 0.5 ? cosKernel(u * (Math.PI / 2)) : sinKernel((1 - u) * (Math.PI / 2));
}
