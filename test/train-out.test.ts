/**
 * `npm run train` and `npm run distill` never overwrite the weights the Worker
 * serves (every folder of src/model/served-sets.ts) unless --out names them:
 * training exports the teacher to weights/teacher, distillation into its run
 * folder (exercised end to end by test/distill.test.ts's CLI run).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVED_SETS } from '../src/model/served-sets';
import { parseDistillArgs } from '../scripts/distill/args';
import { parseTrainArgs } from '../scripts/train/args';

const served = SERVED_SETS.map((set) => path.resolve(set.dir));

describe('where a run exports its weights', () => {
  it('by default, outside every served set', () => {
    expect(served).toEqual([path.resolve('weights/few-step'), path.resolve('weights'), path.resolve('weights/hand')]);
    // The flags npm run train / npm run distill add themselves.
    const train = parseTrainArgs(['--backend', 'wasm']).out;
    expect(train).toBe('weights/teacher');
    expect(served).not.toContain(path.resolve(train!));
    expect(parseDistillArgs(['--backend', 'wasm']).out).toBeNull(); // <run folder>/weights
    expect(parseDistillArgs(['--backend', 'wasm', '--run-dir', 'runs/x', '--channels', '8,16,48']).out).toBeNull();
  });

  it('into a served set when --out names it', () => {
    for (const dir of SERVED_SETS.map((set) => set.dir)) {
      expect(parseDistillArgs(['--out', dir]).out).toBe(dir);
      expect(parseTrainArgs(['--out', dir]).out).toBe(dir);
    }
  });
});
