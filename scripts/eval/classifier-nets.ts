/**
 * The two classifier architectures eval measures with. Both read 28×28 digits
 * (ink in [0, 1]) and return logits and a penultimate feature vector; both are
 * instruments, never served. Written with tfjs-core ops (not tfjs-layers) so
 * they run on the same wasm backend and training helpers as the denoiser.
 *
 * selection (cnn3), eval/classifier: chooses served settings.
 *   conv3×3 32 ─ maxpool ─ conv3×3 64 ─ maxpool ─ conv3×3 64 ─ maxpool (3²)
 *   ─ dense 128 (features) ─ dense 10; ReLU, "same" padding.
 * reporting (lenet-elu), eval/reporting-classifier: only reports, so that a
 * setting tuned against the first cannot flatter itself. A different family
 * on purpose: larger 5×5 kernels without padding, average instead of max
 * pooling, ELU instead of ReLU, a narrower 64-d feature layer.
 *   conv5×5 24 (24²) ─ avgpool (12²) ─ conv5×5 48 (8²) ─ avgpool (4²)
 *   ─ dense 64 (features) ─ dense 10; ELU.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec, Params } from '../../src/model/unet';

export const CLASSES = 10;
export type ClassifierNetName = 'cnn3' | 'lenet-elu';

export interface ClassifierNet {
  name: ClassifierNetName;
  description: string;
  featureDim: number;
  specs: ParamSpec[];
  /** Logits [B, 10] and features [B, featureDim] for images [B, 28, 28, 1] in [0, 1]. */
  forward(p: Params, x: tf.Tensor4D): { logits: tf.Tensor2D; features: tf.Tensor2D };
}

function layerSpecs(layers: [string, number[], 'conv' | 'dense'][]): ParamSpec[] {
  return layers.flatMap(([name, shape, kind]) => [
    { name: `${name}.w`, shape, kind },
    { name: `${name}.b`, shape: [shape[shape.length - 1]], kind: 'bias' as const },
  ]);
}

type Activation = 'relu' | 'elu';

function conv(p: Params, h: tf.Tensor4D, name: string, pad: 'same' | 'valid', activation: Activation): tf.Tensor4D {
  return tf.fused.conv2d({ x: h, filter: p[`${name}.w`] as tf.Tensor4D, bias: p[`${name}.b`], strides: 1, pad, activation });
}

function dense(p: Params, h: tf.Tensor2D, name: string, activation?: Activation): tf.Tensor2D {
  return tf.fused.matMul({ a: h, b: p[`${name}.w`] as tf.Tensor2D, bias: p[`${name}.b`], activation }) as tf.Tensor2D;
}

function head(p: Params, h: tf.Tensor4D, activation: Activation) {
  const features = dense(p, tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, 'dense1', activation);
  return { logits: dense(p, features, 'dense2'), features };
}

export const SELECTION_NET: ClassifierNet = {
  name: 'cnn3',
  description: 'conv3×3 32 → maxpool 2 → conv3×3 64 → maxpool 2 → conv3×3 64 → maxpool 2 → dense 128 (features) → dense 10; ReLU',
  featureDim: 128,
  specs: layerSpecs([
    ['conv1', [3, 3, 1, 32], 'conv'],
    ['conv2', [3, 3, 32, 64], 'conv'],
    ['conv3', [3, 3, 64, 64], 'conv'],
    ['dense1', [3 * 3 * 64, 128], 'dense'],
    ['dense2', [128, CLASSES], 'dense'],
  ]),
  forward(p, x) {
    return tf.tidy(() => {
      const pool = (h: tf.Tensor4D) => tf.maxPool(h, 2, 2, 'valid');
      return head(p, pool(conv(p, pool(conv(p, pool(conv(p, x, 'conv1', 'same', 'relu')), 'conv2', 'same', 'relu')), 'conv3', 'same', 'relu')), 'relu');
    });
  },
};

export const REPORTING_NET: ClassifierNet = {
  name: 'lenet-elu',
  description: 'conv5×5 24 valid → avgpool 2 → conv5×5 48 valid → avgpool 2 → dense 64 (features) → dense 10; ELU',
  featureDim: 64,
  specs: layerSpecs([
    ['conv1', [5, 5, 1, 24], 'conv'],
    ['conv2', [5, 5, 24, 48], 'conv'],
    ['dense1', [4 * 4 * 48, 64], 'dense'],
    ['dense2', [64, CLASSES], 'dense'],
  ]),
  forward(p, x) {
    return tf.tidy(() => {
      const pool = (h: tf.Tensor4D) => tf.avgPool(h, 2, 2, 'valid');
      return head(p, pool(conv(p, pool(conv(p, x, 'conv1', 'valid', 'elu')), 'conv2', 'valid', 'elu')), 'elu');
    });
  },
};

export const CLASSIFIER_NETS: Record<ClassifierNetName, ClassifierNet> = { cnn3: SELECTION_NET, 'lenet-elu': REPORTING_NET };
