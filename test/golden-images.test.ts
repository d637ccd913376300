/**
 * Golden PNGs: the sha256 of a few seeded digits per weight set (the three the
 * Worker serves and the teacher) at 1, 2, 4 and 10 steps, stored in
 * test/fixtures/golden-images.json. Any change to the weights, the noise, the
 * schedule, the samplers, the kernels or the PNG encoder shows up here.
 *
 * Where the Worker draws that set at that step count (few-step at 1-2, general
 * from 3 on, the hand set in a given hand at every count: its digits are drawn
 * in one) the PNG is fetched from the bundled Worker in workerd; every entry
 * is also drawn in Node with the Worker's code and wasm binary, the only way to
 * reach the teacher (not served) and a set at the counts the Worker routes to
 * the other, and the two must agree byte for byte where both exist.
 *
 * When the bytes change on purpose (new weights, a new noise stream), rewrite
 * the fixture with UPDATE_GOLDEN=1 npx vitest run test/golden-images.test.ts
 * and commit it with the change that explains it (test/helpers/golden.ts).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { loadShippedModel, type LoadedWeights } from '../scripts/eval/models';
import { encodePng, upscaleNearest } from '../src/image/png';
import { drawDigits } from '../src/model/generate';
import { weightSetFor } from '../src/model/weight-sets';
import { SERVED_SETS } from '../src/model/served-sets';
import type { SamplerName } from '../src/model/sampler';
import { GoldenFile } from './helpers/golden';
import { useWasm } from './helpers/node-backend';
import { startWorker } from './helpers/worker';

const GOLDEN = new GoldenFile(
  'test/fixtures/golden-images.json',
  'sha256 of 28x28 PNGs (GET /digit/<digit>.png?seed&steps&guidance&sampler&size=28, or the same drawing in Node for what the Worker does not route there), ' +
    'per weights folder and weights version. Update only on purpose: UPDATE_GOLDEN=1 npx vitest run test/golden-images.test.ts (see test/helpers/golden.ts).',
);

const SETS = ['weights/few-step', 'weights', 'weights/hand', 'weights/teacher'];
/** The hand set draws only requests in a given hand: its digits are drawn in this one. */
const HAND_STYLE = { slant: 0.3, thickness: 3 };
const styleOf = (dir: string) => (SERVED_SETS.find((s) => s.dir === dir)?.manifest.sampling.hand ? HAND_STYLE : null);
const STEPS = [1, 2, 4, 10];
/** Two digits per set and step count, one per sampler. */
const DRAWS: { digit: number; seed: number; sampler: SamplerName }[] = [
  { digit: 3, seed: 7, sampler: 'ddim' },
  { digit: 8, seed: 2024, sampler: 'dpmpp' },
];

const models = new Map<string, LoadedWeights>();
let worker: Miniflare;
beforeAll(async () => {
  await useWasm();
  for (const dir of SETS) models.set(dir, await loadShippedModel(dir));
  worker = startWorker();
});
afterAll(async () => {
  GOLDEN.save();
  await worker?.dispose();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(SETS)('%s', (dir) => {
  it.each(STEPS)('%i steps: the stored PNG bytes', async (steps) => {
    const model = models.get(dir)!;
    const { version, sampling } = model.manifest;
    const style = styleOf(dir);
    const servedHere = weightSetFor(SERVED_SETS, steps, style !== null).dir === dir;
    const inHand = style ? `&slant=${style.slant}&thickness=${style.thickness}` : '';
    for (const { digit, seed, sampler } of DRAWS) {
      const guidance = sampling.defaultGuidance;
      const [image] = await drawDigits(model, { digits: [digit], seeds: [seed], steps, guidance, sampler, ...(style ? { styles: [style] } : {}) });
      expect(image.pixels.some((p) => p > 200), 'a digit, not a blank picture, is worth a golden hash').toBe(true);
      const node = sha256(encodePng(upscaleNearest(image, 28, 28)));
      if (servedHere) {
        const res = await worker.dispatchFetch(`http://localhost/digit/${digit}.png?seed=${seed}&steps=${steps}&guidance=${guidance}&sampler=${sampler}&size=28${inHand}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-weights-version')).toBe(version);
        expect(sha256(new Uint8Array(await res.arrayBuffer())), 'workerd and Node draw the same bytes').toBe(node);
      }
      const hand = style ? ` slant ${style.slant} thickness ${style.thickness}` : '';
      GOLDEN.check(`${dir} (${version}) steps ${steps} digit ${digit} seed ${seed} ${sampler} guidance ${guidance}${hand}${servedHere ? ', workerd = node' : ', node'}`, node);
    }
  });
});
