/**
 * The denoiser: a small class- and time-conditional UNet for 28×28 images.
 *
 * A pure function of (weights, noisy images, timesteps, labels) written with
 * tfjs-core ops, so the Worker (inference) and scripts/train (gradients through
 * tf.variable parameters) run the very same code. The parameter list below is
 * the single description of the architecture; the weights format, the
 * initialiser and the FLOP counter all derive from it.
 *
 *   x ─stem─▶ enc0 ─────────────────────────────────────────+─▶ dec0 ─out─▶ v
 *   (28²)       └─down0─▶ enc1 ─────────────────+─▶ dec1 ─up0─┘   (28²)
 *              (14²)        └─down1─▶ mid ─up1─┘     (14²)
 *                          (7²)
 * Each residual block adds a projection of the conditioning embedding
 * (timestep sinusoid + class embedding, with one extra "null" class for
 * classifier-free guidance) to its input. A guidance-distilled student
 * (`guidanceFeatures` > 0) also embeds the guidance scale w, so one row per
 * step draws what the teacher's two guided rows drew; a step-distilled one
 * (`stepFeatures` > 0) also embeds the size of the step the sampler is about to
 * take, so the same weights serve 1-, 2- and 4-step sampling and many steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { log } from './portable-math';

export interface UNetConfig {
  /** Channels at 28², 14² and 7². */
  channels: [number, number, number];
  /** Width of the conditioning embedding. */
  embedDim: number;
  /** Width of the sinusoidal timestep features. */
  timeFeatures: number;
  /** Real classes; index `classes` is the null class used for unconditional passes. */
  classes: number;
  imageSize: number;
  /**
   * Width of the sinusoidal features of the guidance scale w (Meng et al. 2023).
   * Absent or 0: a classifier-free-guidance network (two rows per guided step).
   */
  guidanceFeatures?: number;
  /**
   * Width of the sinusoidal features of the sampler's step size, in timesteps
   * (shortcut models, Frans et al. 2024); 0 stands for small steps.
   * Absent or 0: no step-size input.
   */
  stepFeatures?: number;
  /** Step counts the network was distilled for (DDIM on the trailing grid); others use the small-step mode. */
  distilledSteps?: number[];
  /**
   * Width of the sinusoidal features of each style descriptor (slant, thickness:
   * src/image/style.ts). Trained with the style dropped out for some examples,
   * so a network with style inputs also draws with none given.
   * Absent or 0: no style input.
   */
  styleFeatures?: number;
}

/**
 * The style descriptors' ranges laid out on the features' phase (as MAX_GUIDANCE is
 * for w): MNIST's slant runs −1.2…1.9 (1st-99th percentile −0.53…0.78), its
 * thickness 0.9…11 px (1.2…4.7); values outside are clamped.
 */
export const STYLE_PHASE = { slant: { min: -1.5, max: 2 }, thickness: { min: 0, max: 8 } } as const;

/** Largest guidance scale the w features are laid out for (the API's limit). */
export const MAX_GUIDANCE = 10;

export const DEFAULT_UNET: UNetConfig = { channels: [16, 32, 64], embedDim: 64, timeFeatures: 32, classes: 10, imageSize: 28 };

export type ParamKind = 'conv' | 'dense' | 'bias' | 'embedding';
export interface ParamSpec {
  name: string;
  shape: number[];
  kind: ParamKind;
}

export type Params = Record<string, tf.Tensor>;

const RES_BLOCKS = [
  ['enc0', 0],
  ['enc1', 1],
  ['mid', 2],
  ['dec1', 1],
  ['dec0', 0],
] as const;

/** Every parameter of the network, in a fixed order (the order of the weights file). */
export function paramSpecs(cfg: UNetConfig): ParamSpec[] {
  const [c0, c1, c2] = cfg.channels;
  const E = cfg.embedDim;
  const specs: ParamSpec[] = [];
  const conv = (name: string, k: number, cin: number, cout: number) =>
    specs.push({ name: `${name}.w`, shape: [k, k, cin, cout], kind: 'conv' }, { name: `${name}.b`, shape: [cout], kind: 'bias' });
  const dense = (name: string, cin: number, cout: number) =>
    specs.push({ name: `${name}.w`, shape: [cin, cout], kind: 'dense' }, { name: `${name}.b`, shape: [cout], kind: 'bias' });

  specs.push({ name: 'classEmbed', shape: [cfg.classes + 1, cfg.timeFeatures], kind: 'embedding' });
  dense('embed1', embedInputs(cfg).reduce((n, part) => n + part.width, 0), E);
  dense('embed2', E, E);
  conv('stem', 3, 1, c0);
  for (const [name, level] of RES_BLOCKS) {
    const c = cfg.channels[level];
    dense(`${name}.emb`, E, c);
    conv(`${name}.conv1`, 3, c, c);
    conv(`${name}.conv2`, 3, c, c);
  }
  conv('down0', 3, c0, c1);
  conv('down1', 3, c1, c2);
  conv('up1', 1, c2, c1);
  conv('up0', 1, c1, c0);
  conv('out', 3, c0, 1);
  return specs;
}

/** Multiply-adds ×2 of one image through the network (convs and dense layers; elementwise ops ignored). */
/**
 * The conditioning features embed1 reads, in order: what `embedding` concatenates.
 * Parts a network lacks are left out (width 0), so tools that copy weights between
 * networks (pruning, extending a teacher with style) match the parts by name.
 */
export function embedInputs(cfg: UNetConfig): { part: 'time' | 'class' | 'guidance' | 'step' | 'style'; width: number }[] {
  const parts = [
    { part: 'time', width: cfg.timeFeatures },
    { part: 'class', width: cfg.timeFeatures },
    { part: 'guidance', width: cfg.guidanceFeatures ?? 0 },
    { part: 'step', width: cfg.stepFeatures ?? 0 },
    // Both descriptors' sinusoids and the "style given" flag.
    { part: 'style', width: cfg.styleFeatures ? 2 * cfg.styleFeatures + 1 : 0 },
  ] as const;
  return parts.filter((p) => p.width > 0);
}

export function flopsPerImage(cfg: UNetConfig): number {
  const size = cfg.imageSize;
  // Spatial size each conv produces: stride-2 convs halve, 1×1 up convs run at the coarse size.
  const outputSide: Record<string, number> = {
    stem: size, out: size, down0: size / 2, down1: size / 4, up1: size / 4, up0: size / 2,
  };
  for (const [name, level] of RES_BLOCKS) {
    outputSide[`${name}.conv1`] = outputSide[`${name}.conv2`] = size >> level;
  }
  let flops = 0;
  for (const spec of paramSpecs(cfg)) {
    if (!spec.name.endsWith('.w')) continue;
    const macs = spec.shape.reduce((a, b) => a * b, 1);
    const side = spec.kind === 'conv' ? outputSide[spec.name.slice(0, -2)] : 1;
    flops += 2 * macs * side * side;
  }
  return flops;
}

export function parameterCount(cfg: UNetConfig): number {
  return paramSpecs(cfg).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

export interface ForwardOptions {
  /** Dropout rate inside residual blocks (training only). */
  dropout?: number;
  /** Supplies dropout masks; required when dropout > 0. */
  dropoutMask?: (shape: number[], rate: number) => tf.Tensor;
  /** Guidance scale per image [B]; required by guidance-distilled networks, unused by the others. */
  guidance?: tf.Tensor1D;
  /** Step size in timesteps per image [B] (0: small steps); required by step-distilled networks. */
  stepSize?: tf.Tensor1D;
  /**
   * Style per image [B, 3]: slant, thickness and 1 where they are given (0: no style, the
   * first two ignored). Optional: networks with style inputs draw with no style when absent.
   */
  style?: tf.Tensor2D;
  /** No gradient will flow through this call (sampling): the fused convolutions and matmuls call their kernels without autodiff's wrapper. */
  inference?: boolean;
}

/** Each residual block's share of the conditioning, [B, 1, 1, channels]: what the block adds to its input. */
export type Conditioning = Record<(typeof RES_BLOCKS)[number][0], tf.Tensor4D>;

/**
 * Predicts v for a batch.
 * @param x      noisy images [B, 28, 28, 1]
 * @param t      timesteps as float32 [B], in 0..T-1
 * @param labels class indices int32 [B], `cfg.classes` for the null class
 * @param T      number of schedule timesteps, to scale t into [0, 1)
 */
export function denoise(
  p: Params,
  cfg: UNetConfig,
  x: tf.Tensor4D,
  t: tf.Tensor1D,
  labels: tf.Tensor1D,
  T: number,
  opts: ForwardOptions = {},
): tf.Tensor4D {
  return tf.tidy(() => denoiseConditioned(p, x, conditioning(p, cfg, t, labels, T, opts), opts));
}

/**
 * The conditioning of a batch: timestep, class and (students) guidance-scale and
 * step-size features through the embedding MLP, then each block's projection.
 * It does not depend on the image, so a sampler that knows its timesteps makes
 * it for every step at once (about a third of a small network's kernel calls).
 */
export function conditioning(p: Params, cfg: UNetConfig, t: tf.Tensor1D, labels: tf.Tensor1D, T: number, opts: ForwardOptions = {}): Conditioning {
  return tf.tidy(() => {
    const emb = embedding(p, cfg, t, labels, T, opts);
    const project = (name: string) => {
      const cond = fusedDense(emb, p[`${name}.emb.w`] as tf.Tensor2D, p[`${name}.emb.b`], 'linear', opts.inference ?? false);
      return tf.reshape(cond, [-1, 1, 1, cond.shape[1]]) as tf.Tensor4D;
    };
    return Object.fromEntries(RES_BLOCKS.map(([name]) => [name, project(name)])) as Conditioning;
  });
}

/** Predicts v for a batch whose conditioning (`cond`, one row per image) is already made. */
export function denoiseConditioned(p: Params, x: tf.Tensor4D, cond: Conditioning, opts: Pick<ForwardOptions, 'dropout' | 'dropoutMask' | 'inference'> = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const conv = (h: tf.Tensor4D, name: string, stride = 1, activation: 'relu' | 'linear' = 'linear') =>
      fusedConv(h, p[`${name}.w`] as tf.Tensor4D, p[`${name}.b`], stride, activation, opts.inference ?? false);

    const resBlock = (h: tf.Tensor4D, name: keyof Conditioning): tf.Tensor4D => {
      // Pre-activation residual block; the conditioning joins the block's input.
      const hc = tf.relu(tf.add(h, cond[name])) as tf.Tensor4D;
      let a = conv(hc, `${name}.conv1`, 1, 'relu');
      if (opts.dropout && opts.dropout > 0) {
        a = tf.mul(a, opts.dropoutMask!(a.shape, opts.dropout)) as tf.Tensor4D;
      }
      return tf.add(h, conv(a, `${name}.conv2`)) as tf.Tensor4D;
    };
    const upsample = (h: tf.Tensor4D) => tf.image.resizeNearestNeighbor(h, [h.shape[1] * 2, h.shape[2] * 2]);

    const h1 = resBlock(conv(x, 'stem'), 'enc0');
    const h2 = resBlock(conv(h1, 'down0', 2), 'enc1');
    let h = resBlock(conv(h2, 'down1', 2), 'mid');
    h = resBlock(tf.add(upsample(conv(h, 'up1')), h2) as tf.Tensor4D, 'dec1');
    h = resBlock(tf.add(upsample(conv(h, 'up0')), h1) as tf.Tensor4D, 'dec0');
    return conv(tf.relu(h), 'out');
  });
}

/**
 * A 'same'-padded convolution with bias and activation in one kernel call. For
 * inference it calls the kernel directly: tf.fused.conv2d wraps every call in
 * a custom-gradient closure that only training needs, which costs about as
 * much as a small layer's arithmetic here (10 sampling steps of the 8/16/32
 * student: 160 convolutions, ≈0.6 ms of 7 ms). fusedDense likewise.
 */
function fusedConv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor, strides: number, activation: 'relu' | 'linear', inference: boolean): tf.Tensor4D {
  if (!inference) return tf.fused.conv2d({ x, filter, bias, strides, pad: 'same', activation });
  const inputs: tf.FusedConv2DInputs = { x, filter, bias };
  // dimRoundingMode only matters for numeric padding.
  const attrs: Omit<tf.FusedConv2DAttrs, 'dimRoundingMode'> = { strides, pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], activation };
  return tf.engine().runKernel(tf.FusedConv2D, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** x·w + bias, then the activation, in one kernel call (directly for inference, as fusedConv). */
function fusedDense(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor, activation: 'relu' | 'linear', inference: boolean): tf.Tensor2D {
  if (!inference) return tf.fused.matMul({ a: x, b: w, bias, activation }) as tf.Tensor2D;
  // The kernel multiplies batches of matrices: [1, B, K] · [1, K, N].
  const inputs = { a: tf.reshape(x, [1, ...x.shape]), b: tf.reshape(w, [1, ...w.shape]), bias };
  const attrs: tf._FusedMatMulAttrs = { transposeA: false, transposeB: false, activation };
  const y = tf.engine().runKernel(tf._FusedMatMul, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  return tf.reshape(y, [x.shape[0], w.shape[1]]);
}

/** Conditioning vector [B, embedDim] from timestep sinusoids, the class embedding and (students) guidance and step-size sinusoids. */
function embedding(p: Params, cfg: UNetConfig, t: tf.Tensor1D, labels: tf.Tensor1D, T: number, { guidance, stepSize, style, inference = false }: ForwardOptions): tf.Tensor2D {
  // t in 0..T-1 and w in 0..MAX_GUIDANCE both map onto the same 0..1000 phase range.
  const features = [sinusoids(tf.div(t, T / 1000) as tf.Tensor1D, cfg.timeFeatures)];
  // One-hot × table rather than tf.gather: gather's gradient (UnsortedSegmentSum) has no wasm kernel.
  // (tf.oneHot straight to float32 gives wrong values on wasm in tfjs 4.22; cast instead.)
  const oneHot = tf.cast(tf.oneHot(labels, cfg.classes + 1), 'float32') as tf.Tensor2D;
  features.push(tf.matMul(oneHot, p.classEmbed as tf.Tensor2D));
  if (cfg.guidanceFeatures) {
    if (!guidance) throw new Error('a guidance-distilled network needs the guidance scale as input');
    features.push(sinusoids(tf.mul(guidance, 1000 / MAX_GUIDANCE) as tf.Tensor1D, cfg.guidanceFeatures));
  }
  if (cfg.stepFeatures) {
    if (!stepSize) throw new Error('a step-distilled network needs the step size as input');
    features.push(sinusoids(tf.div(stepSize, T / 1000) as tf.Tensor1D, cfg.stepFeatures));
  }
  // No style given: its features are the zero vector (styleFeatures), so they are not computed.
  if (cfg.styleFeatures) features.push(style ? styleFeatures(style, cfg.styleFeatures) : tf.zeros([t.shape[0], 2 * cfg.styleFeatures + 1]));
  const e1 = fusedDense(tf.concat(features, 1) as tf.Tensor2D, p['embed1.w'] as tf.Tensor2D, p['embed1.b'], 'relu', inference);
  return fusedDense(e1, p['embed2.w'] as tf.Tensor2D, p['embed2.b'], 'relu', inference);
}

/**
 * Style features [B, 2·width + 1]: each descriptor's range mapped onto the 0..1000 phase,
 * and every feature times the "given" flag, so no style is exactly the zero vector
 * (a network extended with style inputs starts as the network it was).
 */
function styleFeatures(style: tf.Tensor2D, width: number): tf.Tensor2D {
  const [slant, thickness, given] = tf.split(style, 3, 1);
  const phase = (v: tf.Tensor, { min, max }: { min: number; max: number }) =>
    tf.reshape(tf.mul(tf.sub(tf.clipByValue(v, min, max), min), 1000 / (max - min)), [-1]) as tf.Tensor1D;
  const features = tf.concat([sinusoids(phase(slant, STYLE_PHASE.slant), width), sinusoids(phase(thickness, STYLE_PHASE.thickness), width)], 1);
  return tf.concat([tf.mul(features, given), given], 1) as tf.Tensor2D;
}

/** [sin, cos] of `value` × frequencies from 1 to ~1/1000, as in Transformer position encodings: [B, width]. */
function sinusoids(value: tf.Tensor1D, width: number): tf.Tensor2D {
  const half = width / 2;
  // log of our own (portable-math.ts): Math.log's last bit is each engine's; tf.exp/sin/cos run in the wasm binary, the same everywhere.
  const freqs = tf.exp(tf.mul(tf.range(0, half, 1, 'float32'), -log(1000) / half));
  const phase = tf.mul(tf.reshape(value, [-1, 1]), tf.reshape(freqs, [1, -1]));
  return tf.concat([tf.sin(phase), tf.cos(phase)], 1) as tf.Tensor2D;
}
