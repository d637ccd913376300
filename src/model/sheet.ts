/**
 * Many digits for one sheet, in batches sized for a Worker, and what they cost.
 *
 * Measured here (tfjs wasm SIMD, one thread, 2-core AMD EPYC, the 40.6 MFLOP
 * network): in Node one network call over r rows took 3.2 ms at r = 1, 4.2 at
 * 2, 7.8 at 4, 29 at 16, 55 at 32, 104 at 64; whole sheets in workerd came to
 * 1.85-1.9 ms per row and step (80 guided digits × 10 steps: 3.0 s; 160: 5.9 s).
 * So a call costs about 0.6 + 1.85·r ms: batching makes a row half the price
 * of a lone call. The wasm heap grows with the batch, though (16 MB at 1 row,
 * 40 MB at 32, 83 MB at 64; it never shrinks, and an isolate has 128 MB), so a
 * call takes at most 32 rows.
 *
 * A row's price follows the network's size: measured in Node in one run, a
 * 32-row call took 42.4 ms on the 40.6 MFLOP teacher and 13.2 ms on the
 * 10.3 MFLOP student (0.31×), so the student's row costs about 0.58 ms in
 * workerd. A straight line through the two: 0.15 + 0.0419 ms per MFLOP.
 */
import type { GreyImage } from '../image/grey';
import { drawDigits, type DrawRequest } from './generate';
import { rowsPerImage, type Model } from './sampler';
import { flopsPerImage, type UNetConfig } from './unet';

const MAX_ROWS_PER_CALL = 32;
const MS_PER_CALL = 0.6;

/** Workerd ms per batched row and step for a network of this size (the line through the two measured networks). */
function msPerRow(unet: UNetConfig): number {
  return 0.15 + 0.0419 * (flopsPerImage(unet) / 1e6);
}

/** Model time for `images` digits: every step runs each batch through the network once. */
export function estimateSheetMs(unet: UNetConfig, images: number, steps: number, guidance: number): number {
  const rows = images * rowsPerImage(unet, guidance);
  return steps * (Math.ceil(rows / MAX_ROWS_PER_CALL) * MS_PER_CALL + rows * msPerRow(unet));
}

/** drawDigits in batches of at most MAX_ROWS_PER_CALL rows; images in request order. */
export async function drawSheet(model: Model, req: DrawRequest): Promise<GreyImage[]> {
  const perCall = MAX_ROWS_PER_CALL / rowsPerImage(model.unet, req.guidance);
  const images: GreyImage[] = [];
  for (let i = 0; i < req.digits.length; i += perCall) {
    images.push(...(await drawDigits(model, { ...req, digits: req.digits.slice(i, i + perCall), seeds: req.seeds.slice(i, i + perCall), styles: req.styles?.slice(i, i + perCall) })));
  }
  return images;
}
