/**
 * What a request will cost, estimated from its parameters before anything
 * runs. Two things read it: the ceiling on any one request
 * (LIMITS.requestBudgetMs: sheets, animations and inpaintings above it are
 * refused with over_budget) and the rate limit's price (src/http/rate-limit.ts).
 *
 * CPU of the workerd process around one request, measured here (2-core AMD
 * EPYC; docs/limits.md has the figures):
 *  - the model: model/sheet.ts's line per network call and batched row;
 *  - a PNG (upng-js, grey palette): about 75 ns per pixel (a 1024² digit
 *    about 50 ms, a 2048×1280 sheet about 190 ms);
 *  - an APNG: about 6 ms per frame, whatever its size (upng-js deflates and
 *    filters each frame on its own), plus about 190 ns per pixel of every frame;
 *  - an upload: decoded, resized to the model's view and back, and encoded
 *    again at its own size, about 300 ns per pixel (decoding noise, which
 *    does not compress, 80 ns; the resizes 150 ns; a drawn picture's encode
 *    50 ns). An inpainted picture keeps the upload's own pixels outside the
 *    mask, and those cost what they weigh: noise took 700 ns per pixel to
 *    encode again (a 1024² picture 0.7 s). How much an upload weighs is its
 *    compressed size: about 650 ns per byte of the upload.
 */
import { ApiError } from './errors';
import { LIMITS } from './limits';
import { rowsPerImage } from './model/sampler';
import { estimateSheetMs } from './model/sheet';
import type { UNetConfig } from './model/unet';

const PNG_NS_PER_PIXEL = 75;
const APNG_MS_PER_FRAME = 6;
const APNG_NS_PER_PIXEL = 190;
const UPLOAD_NS_PER_PIXEL = 300;
const KEPT_NS_PER_BYTE = 650;

/** What the model draws: `images` digits of `steps` network calls each, by the weight set `unet`. */
export interface Drawing {
  unet: UNetConfig;
  images: number;
  steps: number;
  guidance: number;
}

const modelMs = (d: Drawing) => estimateSheetMs(d.unet, d.images, d.steps, d.guidance);
const pngMs = (pixels: number) => (pixels * PNG_NS_PER_PIXEL) / 1e6;

/** GET /digit/:d.png: one digit, upscaled to size². Never above the budget (100 steps at 1024 px ≈ 0.25 s). */
export function digitCost(d: Drawing, size: number): number {
  return modelMs(d) + pngMs(size * size);
}

/** GET /digit/:d.apng: one frame per step. Refused over the frame-memory bound or the budget. */
export function animationCost(d: Drawing, size: number): number {
  const pixels = size * size * d.steps;
  if (pixels > LIMITS.maxAnimationPixels) {
    throw overBudget(`an animation of ${d.steps} frames of ${size}×${size} is ${pixels} pixels; size² × steps must be at most ${LIMITS.maxAnimationPixels} (fewer steps or a smaller size; browsers can scale a 28 px animation up)`, FRAMES);
  }
  const ms = modelMs(d) + d.steps * APNG_MS_PER_FRAME + (pixels * APNG_NS_PER_PIXEL) / 1e6;
  if (ms > LIMITS.requestBudgetMs) {
    throw overBudget(`an animation of ${d.steps} frames of ${size}×${size} is ${estimate(ms)} (fewer steps or a smaller size)`, FRAMES);
  }
  return ms;
}

/** GET /sheet.png: `d.images` cells of size² in one PNG. Refused over the budget. */
export function sheetCost(d: Drawing, cellSize: number): number {
  return manyDigitsCost(d, d.images * cellSize * cellSize, 0, `a sheet of ${d.images} digits × ${d.steps} steps at guidance ${d.guidance}, ${cellSize} px each,`, 'fewer digits, seeds or steps, or a smaller size');
}

/**
 * GET /number and POST /imitate: `d.images` digits in one PNG of at most one
 * size² cell each (natural spacing packs them tighter), plus, for /imitate, the
 * upload of `uploadPixels` decoded and resized. Refused over the budget.
 */
export function numberCost(d: Drawing, cellSize: number, uploadPixels = 0): number {
  const what = `a number of ${d.images} digits × ${d.steps} steps at guidance ${d.guidance}, ${cellSize} px high${uploadPixels ? `, from an upload of ${uploadPixels} pixels` : ''},`;
  return manyDigitsCost(d, d.images * cellSize * cellSize, (uploadPixels * UPLOAD_NS_PER_PIXEL) / 1e6, what, 'fewer digits or steps, or a smaller size');
}

/** Many digits in one PNG of `pixels`, plus `otherMs`; refused over the budget with what it is (`what`) and how to make it cheaper. */
function manyDigitsCost(d: Drawing, pixels: number, otherMs: number, what: string, cheaper: string): number {
  const ms = modelMs(d) + pngMs(pixels) + otherMs;
  if (ms > LIMITS.requestBudgetMs) {
    // Only a classifier-free-guidance network runs two rows per guided digit; a guidance-distilled one runs one at any scale.
    const halves = rowsPerImage(d.unet, d.guidance) === 2 ? '; guidance 0 or 1 halves the model’s share' : '';
    throw overBudget(`${what} is ${estimate(ms)} (${cheaper}${halves})`, 'one digit at a time');
  }
  return ms;
}

/** An upload as the request states it, before anything is decoded. */
export interface Upload {
  /** Width × height of every PNG in it (the picture and any mask), from their headers. */
  pixels: number;
  /** The picture's compressed size. */
  pictureBytes: number;
}

/**
 * POST /inpaint and /restyle: `d.steps` counts every network call (RePaint's
 * repeats included). `keepsPicture`: the answer keeps the upload's own
 * pixels (inpainting), so encoding it costs what the upload weighs. Refused
 * over the budget: a large, noisy picture inpainted with many steps.
 */
export function editCost(d: Drawing, upload: Upload, keepsPicture: boolean): number {
  const ms = modelMs(d) + (upload.pixels * UPLOAD_NS_PER_PIXEL + (keepsPicture ? upload.pictureBytes * KEPT_NS_PER_BYTE : 0)) / 1e6;
  if (ms > LIMITS.requestBudgetMs) {
    throw overBudget(`${keepsPicture ? 'inpainting' : 'restyling'} a picture of ${upload.pixels} pixels and ${upload.pictureBytes} bytes with ${d.steps} network calls is ${estimate(ms)} (fewer steps${keepsPicture ? ' or resamples' : ''}, or a smaller picture)`);
  }
  return ms;
}

/** The rate limit's price: one unit per started LIMITS.rateUnitMs of estimated CPU, at least one. */
export function priceInUnits(ms: number): number {
  return Math.max(1, Math.ceil(ms / LIMITS.rateUnitMs));
}

/** How /client.js draws what the API refuses: its drawDigit, called as the refused request would have drawn. */
const FRAMES = 'every frame through drawDigit’s onStep';

function estimate(ms: number): string {
  return `an estimated ${Math.round(ms)} ms of CPU, and one request may use ${LIMITS.requestBudgetMs} ms`;
}

/** A refusal of what the browser client can draw (`how`: with what) points to it: the same pixels, on the caller's own CPU. */
function overBudget(detail: string, how?: string): ApiError {
  return new ApiError(400, 'over_budget', how ? `${detail}. Bigger jobs: /client.js draws them on your own CPU with the same pixels, ${how}` : detail);
}
