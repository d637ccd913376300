/**
 * The census reads the network's raw output; eval scores the served bytes.
 * Both come from one sampler run (drawRawAndServed), so the served bytes must
 * be exactly what the Worker's drawDigits returns, and the raw output must be
 * the served picture before its haze is cleared, nothing else.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { drawDigits } from '../src/model/generate';
import { SAMPLERS } from '../src/model/sampler';
import { FAINT_GREY, INK_GREY } from '../src/image/haze';
import { drawRawAndServed } from '../scripts/eval/evaluate';
import { loadShippedModel, type LoadedWeights } from '../scripts/eval/models';
import { useWasm } from './helpers/node-backend';

const SETS = ['weights/teacher', 'weights/few-step', 'weights'];
const models: Record<string, LoadedWeights> = {};

beforeAll(async () => {
  await useWasm();
  for (const dir of SETS) models[dir] = await loadShippedModel(dir);
});

describe('raw and served output from one sampler run', () => {
  it.each(SETS.flatMap((dir) => SAMPLERS.map((sampler) => [dir, sampler] as const)))('%s, %s: served = drawDigits byte for byte; raw = served before faint pixels away from ink are cleared', async (dir, sampler) => {
    const model = models[dir];
    const digits = [0, 3, 7, 8];
    const seeds = [11, 12, 13, 14];
    const settings = { steps: 3, guidance: 2, sampler };
    const { raw, served } = await drawRawAndServed(model, digits, seeds, settings);
    const worker = await drawDigits(model, { digits, seeds, ...settings });
    worker.forEach((img, i) => expect(Buffer.from(served[i]).equals(Buffer.from(img.pixels))).toBe(true));
    let faint = 0;
    raw.forEach((r, i) => {
      r.forEach((v, p) => {
        if (v > 0 && v <= FAINT_GREY) faint++;
        const [x, y] = [p % 28, Math.floor(p / 28)];
        let touchesInk = false;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) touchesInk ||= x + dx >= 0 && x + dx < 28 && y + dy >= 0 && y + dy < 28 && r[(y + dy) * 28 + x + dx] > INK_GREY;
        expect(served[i][p]).toBe(v <= FAINT_GREY && !touchesInk ? 0 : v);
      });
    });
    expect(faint).toBeGreaterThan(0); // three steps leave haze: raw is not already served
  });
});
