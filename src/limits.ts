/**
 * The API's limits, in one zod-free module: the Worker's validation
 * (params.ts), GET /model and the browser client (client/options.ts) all read
 * them from here, so the client accepts exactly what the API accepts without
 * carrying the schemas.
 */
import { MAX_GUIDANCE } from './model/unet';

export const LIMITS = {
  /**
   * Upper bound on `steps`. Even the teacher's guided step (two network rows)
   * costs under 4 ms of CPU here (`npm run bench`), so 100 steps stay under
   * 0.4 s: far inside the paid plan's default 30 s CPU limit, with room for the
   * largest PNG encode.
   */
  maxSteps: 100,
  /** The range a guidance-distilled student's w features are laid out for. */
  maxGuidance: MAX_GUIDANCE,
  minSize: 28,
  maxSize: 1024,
  /**
   * RePaint repeats each step; steps × resample is bounded by maxSteps, so an
   * inpaint costs at most what the costliest digit does.
   */
  maxResample: 10,
  /**
   * An animation holds every frame as RGBA while upng-js encodes it: size² ×
   * steps ≤ 2 Mpx keeps that near 8 MiB (the isolate has 128 MB). Its CPU is
   * bounded by requestBudgetMs as well (src/cost.ts).
   */
  maxAnimationPixels: 2 ** 21,
  /** A sheet is at most 10 rows (digits) × 16 columns (seeds) of cells up to 128 px: ≤ 2048×1280. */
  maxSheetDigits: 10,
  maxSheetSeeds: 16,
  maxSheetCell: 128,
  /** GET /number and POST /imitate: at most 16 digits (a card number, an amount) in cells up to maxSheetCell px: ≤ 2048×128. */
  maxNumberDigits: 16,
  /**
   * Estimated CPU of any one request (src/cost.ts: model, PNG or APNG encode),
   * checked before anything runs; sheets and animations above it are refused
   * with over_budget. A Worker isolate runs one request's JavaScript at a time,
   * so this is also how long one request can keep every other request on its
   * isolate waiting: about a second, measured here (docs/limits.md).
   * /client.js draws bigger jobs on the caller's own CPU, with the same bytes.
   */
  requestBudgetMs: 1000,
  /**
   * The rate limit's unit: a request costs one unit per started 25 ms of
   * estimated CPU, at least one (src/cost.ts). The default request costs one,
   * the largest sheet 40.
   */
  rateUnitMs: 25,
} as const;
