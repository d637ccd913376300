/**
 * The version of everything between weights and pixels: the noise generator
 * (rng.ts), the schedulers and guidance (sampler.ts) and the post-processing
 * (src/image/). Same parameters + same weights + same drawing version = same
 * bytes; caches and ETags key on it beside the weights version. Bump it with
 * any change that draws other bytes from the same weights, and say so in
 * CHANGELOG.md.
 *   1: Box-Muller noise, grey ≤ 32 snapped to black (until 2026-12-05)
 *   2: noise from exact operations only, haze cleared only away from ink
 *   3: guidance on the class and the style together (a two-pass network's
 *      unconditional row is given no style)
 */
export const DRAWING_VERSION = 3;
