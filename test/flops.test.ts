/** FLOP counting (flopsPerImage in src/model/unet.ts) on a configuration small enough to count by hand. */
import { describe, expect, it } from 'vitest';
import { flopsPerImage, type UNetConfig } from '../src/model/unet';

// 8×8 images; channels 2/4/8 at 8², 4², 2²; embedding width 8 from 4 time features.
const tiny: UNetConfig = { channels: [2, 4, 8], embedDim: 8, timeFeatures: 4, classes: 3, imageSize: 8 };

/** FLOPs of a k×k conv from cin to cout channels producing side×side pixels: 2 per multiply-add. */
const conv = (k: number, cin: number, cout: number, side: number) => 2 * k * k * cin * cout * side * side;
const dense = (cin: number, cout: number) => 2 * cin * cout;

describe('flopsPerImage', () => {
  it('counts a 3×3 conv layer as 2·k²·Cin·Cout·H·W', () => {
    // The stem alone: 3×3, 1 → 2 channels, 8×8 output = 2·9·1·2·64.
    expect(conv(3, 1, 2, 8)).toBe(2304);
  });

  it('sums every conv and dense layer of the tiny UNet', () => {
    const expected =
      dense(2 * 4, 8) + dense(8, 8) + // embedding MLP: [time sinusoids ‖ class] → 8 → 8
      dense(8, 2) + dense(8, 4) + dense(8, 8) + dense(8, 4) + dense(8, 2) + // per-block conditioning projections
      conv(3, 1, 2, 8) + // stem
      2 * conv(3, 2, 2, 8) + // enc0
      conv(3, 2, 4, 4) + // down0 (stride 2: 4×4 output)
      2 * conv(3, 4, 4, 4) + // enc1
      conv(3, 4, 8, 2) + // down1
      2 * conv(3, 8, 8, 2) + // mid
      conv(1, 8, 4, 2) + // up1 (1×1 at the coarse size, then nearest upsampling)
      2 * conv(3, 4, 4, 4) + // dec1
      conv(1, 4, 2, 4) + // up0
      2 * conv(3, 2, 2, 8) + // dec0
      conv(3, 2, 1, 8); // out
    expect(expected).toBe(56384); // the same sum, worked on paper: 576 dense + 55808 conv
    expect(flopsPerImage(tiny)).toBe(expected);
  });

  it('scales convolutions with the pixel count', () => {
    const big = { ...tiny, imageSize: 16 };
    const denseFlops = 576;
    expect(flopsPerImage(big) - denseFlops).toBe(4 * (flopsPerImage(tiny) - denseFlops));
  });
});
