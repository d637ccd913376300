/**
 * Application of the sampler the routes share: draw digits, return grey pixels.
 * Tensors live only inside this function; callers get plain bytes.
 */
import { tensorToGrey, type GreyImage } from '../image/grey';
import { sample, type Model, type SampleOptions, type SamplerName } from './sampler';

export interface DrawRequest {
  digits: number[];
  seeds: number[];
  steps: number;
  guidance: number;
  sampler: SamplerName;
  /** How each digit is written, for networks with style inputs (SampleOptions.styles). */
  styles?: SampleOptions['styles'];
  /** Restyle or inpaint a picture instead of drawing from pure noise (src/model/edit.ts). */
  edit?: Pick<SampleOptions, 'start' | 'inpaint'>;
}

export async function drawDigits(model: Model, req: DrawRequest): Promise<GreyImage[]> {
  const images = sample(model, { labels: req.digits, seeds: req.seeds, steps: req.steps, guidance: req.guidance, sampler: req.sampler, styles: req.styles, ...req.edit });
  try {
    return await tensorToGrey(images);
  } finally {
    images.dispose();
  }
}
