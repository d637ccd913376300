/** FLOP counting (flopsPerImage in src/model/unet.ts), against the convolutions and matmuls the network actually runs. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denoise, DEFAULT_UNET, flopsPerImage, paramSpecs, type UNetConfig } from '../src/model/unet';
import { useWasm } from './helpers/node-backend';

beforeAll(useWasm);

// 8×8 images; channels 2/4/8 at 8², 4², 2²; embedding width 8 from 4 time features.
const tiny: UNetConfig = { channels: [2, 4, 8], embedDim: 8, timeFeatures: 4, classes: 3, imageSize: 8 };

/** FLOPs of a k×k conv from cin to cout channels producing side×side pixels: 2 per multiply-add. */
const conv = (k: number, cin: number, cout: number, side: number) => 2 * k * k * cin * cout * side * side;
const dense = (cin: number, cout: number) => 2 * cin * cout;

/**
 * Runs one forward pass of `batch` images and counts 2 × the multiply-adds of every
 * convolution and matmul tfjs executed, from the shapes it recorded: each output element
 * of a conv costs kh·kw·Cin multiply-adds, each of a matmul the inner dimension.
 * The class embedding's one-hot × table product is a lookup, which flopsPerImage leaves out.
 */
async function executedFlops(cfg: UNetConfig, batch: number): Promise<number> {
  const p = Object.fromEntries(paramSpecs(cfg).map((s) => [s.name, tf.zeros(s.shape)]));
  const x = tf.zeros([batch, cfg.imageSize, cfg.imageSize, 1]) as tf.Tensor4D;
  const t = tf.fill([batch], 500) as tf.Tensor1D;
  const labels = tf.zeros([batch], 'int32') as tf.Tensor1D;
  const info = await tf.profile(() => denoise(p, cfg, x, t, labels, 1000));
  tf.dispose([...Object.values(p), x, t, labels, info.result as tf.Tensor]);
  let flops = 0;
  let counted = 0;
  for (const k of info.kernels) {
    const out = k.outputShapes[0].reduce((a, b) => a * b, 1);
    // Kernels only: the profile also lists the ops around custom-gradient kernels (fusedConv2d__op).
    if (k.name === tf.Conv2D || k.name === tf.FusedConv2D) {
      const [kh, kw, cin] = k.inputShapes[1];
      flops += 2 * out * kh * kw * cin;
      counted++;
    } else if (k.name === tf.BatchMatMul || k.name === tf._FusedMatMul) {
      const a = k.inputShapes[0];
      if (a[a.length - 1] === cfg.classes + 1) continue; // the one-hot class lookup
      flops += 2 * out * a[a.length - 1];
      counted++;
    }
  }
  // 6 convs + 5 residual blocks × 2 convs, and 2 embedding layers + 5 conditioning projections.
  expect(counted).toBe(23);
  return flops / batch;
}

describe('flopsPerImage', () => {
  it.each([
    ['tiny', tiny],
    ['shipped 16/32/64', DEFAULT_UNET],
    ['narrow 8/16/64', { ...DEFAULT_UNET, channels: [8, 16, 64] } as UNetConfig],
  ])('equals the multiply-adds the %s network executes', async (_, cfg) => {
    expect(flopsPerImage(cfg)).toBe(await executedFlops(cfg, 2));
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
