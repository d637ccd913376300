/**
 * A sample sheet of the committed weights (digits 0-9 down, one seed per column),
 * through the Worker's own loader and sampler: what to look at after retraining.
 *   npm run sheet -- [--weights weights] [--out docs/digits.png] [--seeds 8] [--steps 10] [--guidance 2] [--sampler dpmpp] [--scale 2]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng, upscaleNearest } from '../src/image/png';
import type { SamplerName } from '../src/model/sampler';
import { samplingAt } from '../src/model/sampling-defaults';
import { exitOnHelp } from './cli/help';
import { initBackend } from './train/backend';
import { sampleSheet } from './train/sheet';
import { loadShippedModel } from './eval/models';

exitOnHelp(`Usage: npm run sheet -- [flags]
  Draws digits 0-9 (rows) with one seed per column through the Worker's own loader and sampler,
  and writes the sheet as a PNG: what to look at after training.
  --weights DIR   weights folder (default weights: the general set)
  --out FILE      where to write the PNG (default docs/digits.png)
  --seeds N       columns (default 8)
  --steps N       sampler steps (default 10)
  --guidance X    guidance scale (default: the manifest's for these steps)
  --sampler S     ddim or dpmpp (default: the manifest's)
  --scale N       nearest-neighbour upscale factor (default 2)`);

const { values } = parseArgs({
  options: {
    weights: { type: 'string', default: 'weights' },
    out: { type: 'string', default: 'docs/digits.png' },
    seeds: { type: 'string', default: '8' },
    steps: { type: 'string', default: '10' },
    guidance: { type: 'string' },
    sampler: { type: 'string' },
    scale: { type: 'string', default: '2' },
  },
});

await initBackend('wasm');
const model = await loadShippedModel(values.weights!);
const { manifest } = model;
const steps = Number(values.steps);
const sheet = await sampleSheet(model, {
  seeds: Number(values.seeds),
  steps,
  guidance: values.guidance === undefined ? samplingAt(manifest.sampling, steps).defaultGuidance : Number(values.guidance),
  sampler: (values.sampler ?? manifest.sampling.defaultSampler) as SamplerName,
});
const scale = Number(values.scale);
fs.mkdirSync(path.dirname(values.out!), { recursive: true });
fs.writeFileSync(values.out!, encodePng(upscaleNearest(sheet, sheet.width * scale, sheet.height * scale)));
console.log(`wrote ${values.out} (weights ${manifest.version})`);
