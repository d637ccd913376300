/**
 * Trains the evaluation classifier (scripts/eval/classifier.ts) on the 60k
 * MNIST training digits and writes its int8 weights to eval/classifier/, with
 * its accuracy on the 10k test digits (measured once, at the end, on the
 * stored int8 weights; the recipe is fixed, never tuned on the test set).
 *
 *   npm run train:classifier -- [--epochs 3] [--batch 128] [--lr 0.002] [--seed 7] [--limit N] [--out eval/classifier]
 *
 * Adam, linear warm-up then cosine decay, random shifts of up to 2 px as
 * augmentation. One wasm thread: a few minutes per epoch on this machine.
 */
import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../src/model/rng';
import { accuracy, classify, CLASSIFIER_SPECS, classifierForward, FEATURE_DIM } from './eval/classifier';
import { CLASSIFIER_DIR, paramsFromBinary, quantizeClassifier, saveClassifier } from './eval/classifier-weights';
import { exitOnHelp } from './cli/help';
import { initBackend } from './train/backend';
import { loadMnist, type Digits } from './train/mnist';
import { formatDuration, Progress } from './train/progress';

exitOnHelp(`Usage: npm run train:classifier -- [flags]
  Trains the evaluation classifier on the 60k MNIST training digits and writes its int8 weights
  and test accuracy to --out (npm run eval reads it from there).
  --epochs N   passes over the data (default 3)
  --batch N    batch size (default 128)
  --lr X       peak learning rate (default 0.002)
  --seed N     seed for init, data order and shifts (default 7)
  --limit N    train on the first N digits only
  --out DIR    where to write the weights (default ${CLASSIFIER_DIR})`);

const { values: flags } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '7' },
    limit: { type: 'string' },
    out: { type: 'string', default: CLASSIFIER_DIR },
  },
});
const recipe = {
  epochs: Number(flags.epochs),
  batchSize: Number(flags.batch),
  lr: Number(flags.lr),
  warmupSteps: 100,
  beta1: 0.9,
  beta2: 0.999,
  shift: 2,
  seed: Number(flags.seed),
};

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const full = loadMnist('train');
  const limit = flags.limit ? Math.min(Number(flags.limit), full.count) : full.count;
  const train: Digits = { images: full.images.subarray(0, limit * 784), labels: full.labels.subarray(0, limit), count: limit };
  const test = loadMnist('test');
  const rng = new Rng(recipe.seed);

  // He-normal weights, zero biases.
  const params: Record<string, tf.Variable> = {};
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const spec of CLASSIFIER_SPECS) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const std = spec.kind === 'bias' ? 0 : Math.sqrt(2 / (n / spec.shape[spec.shape.length - 1]));
    params[spec.name] = tf.variable(tf.tensor(rng.normals(n).map((z) => z * std), spec.shape), true, `c/${spec.name}`);
    m[spec.name] = tf.variable(tf.zeros(spec.shape), false);
    v[spec.name] = tf.variable(tf.zeros(spec.shape), false);
  }

  const stepsPerEpoch = Math.floor(train.count / recipe.batchSize);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  console.log(`classifier: ${CLASSIFIER_SPECS.length / 2} layers · ${train.count} digits · ${stepsPerEpoch} steps/epoch × ${recipe.epochs} epochs · ${backend.device}`);
  const progress = new Progress(totalSteps, 0);
  const started = performance.now();
  let smooth = NaN;
  let order = rng.permutation(train.count);
  for (let step = 0; step < totalSteps; step++) {
    const epoch = Math.floor(step / stepsPerEpoch);
    if (step > 0 && step % stepsPerEpoch === 0) order = rng.permutation(train.count);
    const { x, onehot } = batch(train, order, (step % stepsPerEpoch) * recipe.batchSize, rng);
    const lr = step < recipe.warmupSteps ? (recipe.lr * (step + 1)) / recipe.warmupSteps : recipe.lr * 0.5 * (1 + Math.cos((Math.PI * (step - recipe.warmupSteps)) / (totalSteps - recipe.warmupSteps)));
    const loss = tf.tidy(() => {
      const xs = tf.tensor4d(x, [recipe.batchSize, 28, 28, 1]);
      const ys = tf.tensor2d(onehot, [recipe.batchSize, 10]);
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, classifierForward(params, xs).logits) as tf.Scalar);
      adam(params, m, v, grads, lr, step + 1);
      return tf.keep(value);
    });
    const l = (await loss.data())[0];
    loss.dispose();
    if (!Number.isFinite(l)) throw new Error(`loss became ${l} at step ${step}`);
    smooth = Number.isNaN(smooth) ? l : 0.98 * smooth + 0.02 * l;
    progress.update(step + 1, { epoch: `${epoch + 1}/${recipe.epochs}`, loss: smooth.toFixed(4), lr: lr.toExponential(2) }, (performance.now() - started) / 1000);
  }
  progress.break();
  const wallSeconds = (performance.now() - started) / 1000;

  // Quantise, then measure the stored int8 weights on the test set.
  const trained = Object.fromEntries(await Promise.all(CLASSIFIER_SPECS.map(async (s) => [s.name, (await params[s.name].data()) as Float32Array] as const)));
  const { binary, tensors } = quantizeClassifier(trained);
  const int8Params = paramsFromBinary(binary, tensors);
  const readout = await classify(int8Params, test.images, test.count);
  const { correct, accuracy: acc } = accuracy(readout.predicted, test.labels);
  const fp32Acc = accuracy((await classify(params, test.images, test.count)).predicted, test.labels).accuracy;
  console.log(`trained in ${formatDuration(wallSeconds)} · test accuracy ${(100 * acc).toFixed(2)}% int8 (${(100 * fp32Acc).toFixed(2)}% fp32), ${correct}/${test.count}`);
  if (acc < 0.99) console.warn('warning: below the 99.0% the evaluation needs; train longer (--epochs)');

  const manifest = saveClassifier(flags.out!, binary, {
    architecture: 'conv3×3 32 → maxpool 2 → conv3×3 64 → maxpool 2 → conv3×3 64 → maxpool 2 → dense 128 (features) → dense 10; ReLU; scripts/eval/classifier.ts',
    featureDim: FEATURE_DIM,
    tensors,
    test: { correct, count: test.count, accuracy: acc },
    training: {
      script: 'scripts/train-classifier.ts',
      date: new Date().toISOString(),
      trainImages: train.count,
      recipe,
      fp32TestAccuracy: fp32Acc,
      wallSeconds: Math.round(wallSeconds),
      backend: backend.device,
      host: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    },
  });
  console.log(`wrote ${flags.out}/manifest.json and ${manifest.binary.file} (${manifest.binary.bytes} bytes)`);
}

/** One batch of shifted training digits in [0, 1] and their one-hot labels (built in JS: no gather, no oneHot on wasm). */
function batch(data: Digits, order: Int32Array, start: number, rng: Rng) {
  const n = recipe.batchSize;
  const x = new Float32Array(n * 784);
  const onehot = new Float32Array(n * 10);
  for (let b = 0; b < n; b++) {
    const index = order[start + b];
    onehot[b * 10 + data.labels[index]] = 1;
    const dx = rng.int(2 * recipe.shift + 1) - recipe.shift;
    const dy = rng.int(2 * recipe.shift + 1) - recipe.shift;
    const src = data.images.subarray(index * 784, (index + 1) * 784);
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= 28) continue;
      for (let xx = 0; xx < 28; xx++) {
        const sx = xx - dx;
        if (sx >= 0 && sx < 28) x[b * 784 + y * 28 + xx] = src[sy * 28 + sx] / 255;
      }
    }
  }
  return { x, onehot };
}

function adam(params: Record<string, tf.Variable>, m: Record<string, tf.Variable>, v: Record<string, tf.Variable>, grads: tf.NamedTensorMap, lr: number, t: number): void {
  const { beta1, beta2 } = recipe;
  for (const spec of CLASSIFIER_SPECS) {
    const name = spec.name;
    const g = grads[params[name].name];
    m[name].assign(tf.add(tf.mul(m[name], beta1), tf.mul(g, 1 - beta1)));
    v[name].assign(tf.add(tf.mul(v[name], beta2), tf.mul(tf.square(g), 1 - beta2)));
    const update = tf.div(tf.div(m[name], 1 - beta1 ** t), tf.add(tf.sqrt(tf.div(v[name], 1 - beta2 ** t)), 1e-8));
    params[name].assign(tf.sub(params[name], tf.mul(update, lr)));
  }
}

main().catch((err) => {
  console.error(`train:classifier: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
