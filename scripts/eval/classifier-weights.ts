/**
 * The evaluation classifiers' committed weights: <dir>/manifest.json +
 * <dir>/weights.bin, the selection classifier in eval/classifier and the
 * reporting one in eval/reporting-classifier. Same int8 per-channel scheme as the denoiser
 * (quantizePerChannel / dequantize, reused), so the file stays ≈130 KB; the
 * recorded test accuracy is measured on these int8 weights, as stored, so the
 * number in the manifest is the instrument's own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { dequantize, type TensorEntry } from '../../src/model/weights';
import type { Params } from '../../src/model/unet';
import { quantizePerChannel, writeAtomic } from '../train/export';
import type { Classifier } from './classifier';
import { CLASSIFIER_NETS, SELECTION_NET, type ClassifierNet, type ClassifierNetName } from './classifier-nets';

/** The selection instrument: chooses served settings. */
export const CLASSIFIER_DIR = 'eval/classifier';
/** The reporting instrument: a different architecture, seed and augmentation, never used to choose. */
export const REPORTING_CLASSIFIER_DIR = 'eval/reporting-classifier';
export const CLASSIFIER_FORMAT = 'edge-diffusion-digits/eval-classifier/int8-per-channel/v1';

export interface ClassifierManifest {
  format: typeof CLASSIFIER_FORMAT;
  /** classifier-nets.ts's architecture; absent in the first (selection) classifier's manifest, which is cnn3. */
  net?: ClassifierNetName;
  architecture: string;
  featureDim: number;
  binary: { file: string; bytes: number; sha256: string };
  tensors: TensorEntry[];
  /** MNIST test set (10k) accuracy of the stored int8 weights on the wasm backend. */
  test: { correct: number; count: number; accuracy: number };
  training: Record<string, unknown>;
}

/** Quantises the trained weights; returns the binary and tensor table (the manifest is written by saveClassifier). */
export function quantizeClassifier(net: ClassifierNet, weights: Record<string, Float32Array>): { binary: Buffer; tensors: TensorEntry[] } {
  const tensors: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const spec of net.specs) {
    const q = quantizePerChannel(weights[spec.name], spec.shape[spec.shape.length - 1]);
    tensors.push({ name: spec.name, shape: spec.shape, offset, scales: q.scales });
    chunks.push(Buffer.from(q.values.buffer, q.values.byteOffset, q.values.byteLength));
    offset += q.values.length;
  }
  return { binary: Buffer.concat(chunks), tensors };
}

export function saveClassifier(dir: string, binary: Buffer, manifest: Omit<ClassifierManifest, 'format' | 'binary' | 'featureDim'> & { featureDim: number }): ClassifierManifest {
  const full: ClassifierManifest = {
    format: CLASSIFIER_FORMAT,
    ...manifest,
    binary: { file: 'weights.bin', bytes: binary.length, sha256: crypto.createHash('sha256').update(binary).digest('hex') },
  };
  fs.mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, 'weights.bin'), binary); // binary first: a crash never leaves a manifest without its binary
  writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(full, null, 1) + '\n');
  return full;
}

/** int8 tensors → float32 tf tensors in the active backend. */
export function paramsFromBinary(binary: Uint8Array, tensors: TensorEntry[]): Params {
  const int8 = new Int8Array(binary.buffer, binary.byteOffset, binary.byteLength);
  const params: Params = {};
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    params[t.name] = tf.tensor(dequantize(int8.subarray(t.offset, t.offset + n), t.scales), t.shape, 'float32');
  }
  return params;
}

export function loadClassifier(dir = CLASSIFIER_DIR): Classifier & { manifest: ClassifierManifest } {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${file} not found: train the evaluation classifier first (npm run train:classifier)`);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as ClassifierManifest;
  if (manifest.format !== CLASSIFIER_FORMAT) throw new Error(`${file}: format ${manifest.format}, expected ${CLASSIFIER_FORMAT}`);
  const binary = fs.readFileSync(path.join(dir, manifest.binary.file));
  const sha = crypto.createHash('sha256').update(binary).digest('hex');
  if (sha !== manifest.binary.sha256) throw new Error(`${dir}/${manifest.binary.file}: sha256 ${sha} does not match the manifest's ${manifest.binary.sha256}`);
  const net = manifest.net === undefined ? SELECTION_NET : CLASSIFIER_NETS[manifest.net];
  if (!net) throw new Error(`${file}: unknown net ${manifest.net} (known: ${Object.keys(CLASSIFIER_NETS).join(', ')})`);
  const names = net.specs.map((s) => `${s.name}${JSON.stringify(s.shape)}`).join();
  if (manifest.tensors.map((t) => `${t.name}${JSON.stringify(t.shape)}`).join() !== names) {
    throw new Error(`${file}: tensor table does not match ${net.name} in scripts/eval/classifier-nets.ts (retrain with npm run train:classifier)`);
  }
  return { manifest, net, params: paramsFromBinary(binary, manifest.tensors) };
}
