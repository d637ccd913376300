/** Sample sheets: digits 0-9 down, one seed per column, through the Worker's own sampler. */
import { tensorToGrey, type GreyImage } from '../../src/image/grey';
import { grid } from '../../src/image/png';
import { sample, type Model, type SamplerName } from '../../src/model/sampler';

export interface SheetOptions {
  seeds: number;
  steps: number;
  guidance: number;
  sampler: SamplerName;
}

export async function sampleSheet(model: Model, opts: SheetOptions): Promise<GreyImage> {
  const labels: number[] = [];
  const seeds: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    for (let s = 0; s < opts.seeds; s++) {
      labels.push(digit);
      seeds.push(s + 1);
    }
  }
  const images = sample(model, { labels, seeds, steps: opts.steps, guidance: opts.guidance, sampler: opts.sampler });
  const grey = await tensorToGrey(images);
  images.dispose();
  return grid(grey, opts.seeds);
}

