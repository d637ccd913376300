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
   * steps ≤ 2 Mpx keeps that near 8 MiB (the isolate has 128 MB) and the
   * encode near a second (measured: 10 frames of 640² took 1.1 s, 100 of 200² 1.9 s).
   */
  maxAnimationPixels: 2 ** 21,
  /** A sheet is at most 10 rows (digits) × 16 columns (seeds) of cells up to 128 px: ≤ 2048×1280. */
  maxSheetDigits: 10,
  maxSheetSeeds: 16,
  maxSheetCell: 128,
  /**
   * Estimated model CPU per sheet (model/sheet.ts's measured cost per network
   * call). A third of the paid plan's default 30 s CPU limit, leaving room for
   * slower hosts and the PNG encode (≤ 0.4 s at the largest sheet).
   */
  sheetBudgetMs: 10_000,
} as const;
