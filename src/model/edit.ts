/**
 * Editing an uploaded picture with the model, grey pixels in and out at the
 * upload's own size: into the model's view (28×28, white ink on black), through
 * the sampler, and back to the upload's size and polarity. Tensors live only
 * inside these functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { composite, maskToModel, type Mask } from '../image/mask';
import { fromModelView, toModelView } from '../image/normalise';
import type { GreyImage } from '../image/grey';
import { drawDigits, type DrawRequest } from './generate';
import { toModelRange } from './objective';
import type { Model, SamplerName } from './sampler';

interface Sampling {
  digit: number;
  seed: number;
  steps: number;
  guidance: number;
  sampler: SamplerName;
}

export interface InpaintRequest extends Sampling {
  /** RePaint repeats per step (1 = plain known-region replacement). */
  resample: number;
  image: GreyImage;
  mask: Mask;
}

export interface RestyleRequest extends Sampling {
  strength: number;
  image: GreyImage;
}

/** Regenerates the masked pixels as `digit`; every other pixel comes back unchanged. */
export async function inpaintImage(model: Model, req: InpaintRequest): Promise<GreyImage> {
  const { width, height } = req.image;
  const side = model.unet.imageSize;
  const view = toModelView(req.image, side);
  const images = pictureTensor(view.image);
  const mask = tf.tensor4d(Float32Array.from(maskToModel(req.mask, width, height, side)), [1, side, side, 1]);
  try {
    const generated = await drawOne(model, req, { inpaint: { images, mask, resample: req.resample } });
    return composite(req.image, fromModelView(generated, width, height, view.inverted), req.mask);
  } finally {
    tf.dispose([images, mask]);
  }
}

/** SDEdit toward `digit`: strength 0 is the picture itself (no model run), 1 a fresh digit. */
export async function restyleImage(model: Model, req: RestyleRequest): Promise<GreyImage> {
  if (req.strength === 0) return req.image;
  const view = toModelView(req.image, model.unet.imageSize);
  const images = pictureTensor(view.image);
  try {
    const generated = await drawOne(model, req, { start: { images, strength: req.strength } });
    return fromModelView(generated, req.image.width, req.image.height, view.inverted);
  } finally {
    images.dispose();
  }
}

async function drawOne(model: Model, req: Sampling, edit: DrawRequest['edit']): Promise<GreyImage> {
  const [image] = await drawDigits(model, { digits: [req.digit], seeds: [req.seed], steps: req.steps, guidance: req.guidance, sampler: req.sampler, edit });
  return image;
}

function pictureTensor(image: GreyImage): tf.Tensor4D {
  return tf.tensor4d(toModelRange(image.pixels), [1, image.height, image.width, 1]);
}
