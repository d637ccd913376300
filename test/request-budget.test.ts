/**
 * The ceiling on any one request (LIMITS.requestBudgetMs, src/cost.ts) and the
 * rate limit's price, on the served weight sets' real architectures. Sheets
 * and animations above the ceiling are refused before anything runs (through
 * the Worker: test/worker-upload-errors.test.ts), and so is inpainting a large
 * picture that does not compress with many steps; single digits and restyles
 * stay under it at every value their parameters allow. The ceiling's measured time
 * is the bench's (`npm run bench -- --soak`: /healthz behind the largest
 * allowed requests), not a test's.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { animationCost, digitCost, editCost, numberCost, priceInUnits, sheetCost, type Drawing } from '../src/cost';
import { ApiError } from '../src/errors';
import { LIMITS } from '../src/limits';
import { estimateSheetMs } from '../src/model/sheet';
import type { UNetConfig } from '../src/model/unet';

const BUDGET = LIMITS.requestBudgetMs;
const architecture = (dir: string) => JSON.parse(fs.readFileSync(`${dir}/manifest.json`, 'utf8')).architecture as UNetConfig;
const teacher = architecture('weights/teacher');
const general = architecture('weights');
const fewStep = architecture('weights/few-step');
const hand = architecture('weights/hand');
const FEW_STEP_MAX = (JSON.parse(fs.readFileSync('weights/few-step/manifest.json', 'utf8')) as { sampling: { maxSteps: number } }).sampling.maxSteps;

const drawing = (unet: UNetConfig, images: number, steps: number, guidance = 2.25): Drawing => ({ unet, images, steps, guidance });
/** The over_budget detail, or null if the cost is allowed. */
function refusal(cost: () => number): string | null {
  try {
    expect(cost()).toBeLessThanOrEqual(BUDGET);
    return null;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    expect([err.status, err.code]).toEqual([400, 'over_budget']);
    return err.detail;
  }
}

describe('the model’s share', () => {
  it('prices the teacher as measured: 0.6 ms per call + 1.85 ms per row, two rows per guided digit', () => {
    expect(estimateSheetMs(teacher, 80, 10, 2)).toBeCloseTo(10 * (5 * 0.6 + 160 * 1.85), -1);
    expect(estimateSheetMs(teacher, 160, 10, 1)).toBeCloseTo(estimateSheetMs(teacher, 80, 10, 2), 6);
  });

  it('prices a guidance-distilled student at one row per digit, whatever the guidance', () => {
    expect(estimateSheetMs(general, 160, 100, 3)).toBe(estimateSheetMs(general, 160, 100, 1));
  });
});

describe('numbers (GET /number, POST /imitate)', () => {
  it('fit 16 digits at the default request (few-step, 2 steps) with room to spare, at any size', () => {
    expect(numberCost(drawing(fewStep, LIMITS.maxNumberDigits, FEW_STEP_MAX), LIMITS.maxSheetCell)).toBeLessThan(BUDGET / 10);
  });

  it('fit 16 digits up to 86 steps on the general set at 28 px (84 at 128 px), and are refused past it', () => {
    expect(refusal(() => numberCost(drawing(general, 16, 86), 28))).toBeNull();
    expect(refusal(() => numberCost(drawing(general, 16, 87), 28))).toMatch(/^a number of 16 digits × 87 steps at guidance 2.25, 28 px high, is an estimated 10\d\d ms of CPU/);
    expect(refusal(() => numberCost(drawing(general, 16, 84), 128))).toBeNull();
    expect(refusal(() => numberCost(drawing(general, 16, 85), 128))).not.toBeNull();
  });

  it('fit 16 digits at the hand set’s default (4 steps) with room to spare, up to 33 steps at 28 px (32 at 128 px), and are refused past it', () => {
    expect(numberCost(drawing(hand, 16, 4, 2), 28)).toBeLessThan(BUDGET / 5);
    expect(refusal(() => numberCost(drawing(hand, 16, 33, 2), 28))).toBeNull();
    expect(refusal(() => numberCost(drawing(hand, 16, 34, 2), 28))).toMatch(/^a number of 16 digits × 34 steps at guidance 2, 28 px high, is an estimated 10\d\d ms of CPU/);
    expect(refusal(() => numberCost(drawing(hand, 16, 32, 2), 128))).toBeNull();
    expect(refusal(() => numberCost(drawing(hand, 16, 33, 2), 128))).not.toBeNull();
  });

  it('count an imitated upload’s decoding', () => {
    expect(numberCost(drawing(general, 4, 10), 28, 1024 * 1024)).toBeGreaterThan(numberCost(drawing(general, 4, 10), 28) + 300);
  });
});

describe('sheets', () => {
  it('fit the budget up to 160 digits at 8 steps on the general set, and are refused past it', () => {
    expect(refusal(() => sheetCost(drawing(general, 160, 8), 28))).toBeNull();
    expect(refusal(() => sheetCost(drawing(general, 160, 9), 28))).toMatch(/^a sheet of 160 digits × 9 steps .* is an estimated 10\d\d ms of CPU, and one request may use 1000 ms/);
  });

  it('in a given hand, drawn by the wider hand set, fit 160 digits up to 3 steps and 132 at its default 4', () => {
    expect(refusal(() => sheetCost(drawing(hand, 160, 3, 2), 28))).toBeNull();
    expect(refusal(() => sheetCost(drawing(hand, 160, 4, 2), 28))).toMatch(/^a sheet of 160 digits × 4 steps .* is an estimated 1\d\d\d ms of CPU/);
    expect(refusal(() => sheetCost(drawing(hand, 132, 4, 2), 28))).toBeNull();
    expect(refusal(() => sheetCost(drawing(hand, 133, 4, 2), 28))).not.toBeNull();
  });

  it('count the PNG encode: larger cells leave fewer steps', () => {
    expect(refusal(() => sheetCost(drawing(general, 160, 7), 128))).toBeNull();
    expect(refusal(() => sheetCost(drawing(general, 160, 8), 128))).not.toBeNull();
  });

  it('let the few-step set’s largest sheet through: 160 digits at its most steps', () => {
    expect(refusal(() => sheetCost(drawing(fewStep, 160, FEW_STEP_MAX), LIMITS.maxSheetCell))).toBeNull();
  });

  it('point bigger jobs to /client.js, and a two-row teacher to the cheaper guidance', () => {
    const detail = refusal(() => sheetCost(drawing(teacher, 160, 10), 28))!;
    expect(detail).toContain('guidance 0 or 1 halves');
    expect(detail).toContain('/client.js draws them on your own CPU with the same pixels');
  });
});

describe('animations', () => {
  it('take 100 frames of 28 px, and refuse 100 of 144 px on CPU although they fit the frame memory', () => {
    expect(refusal(() => animationCost(drawing(general, 1, 100), 28))).toBeNull();
    expect(100 * 144 * 144).toBeLessThanOrEqual(LIMITS.maxAnimationPixels);
    expect(refusal(() => animationCost(drawing(general, 1, 100), 144))).toMatch(/^an animation of 100 frames of 144×144 is an estimated \d+ ms of CPU.*onStep$/);
  });

  it('refuse more frame pixels than the frame memory holds, pointing to /client.js', () => {
    expect(refusal(() => animationCost(drawing(general, 1, 10), 1024))).toMatch(/size² × steps must be at most 2097152.*\/client\.js/);
  });
});

describe('digits and edits', () => {
  const largestUpload = { pixels: LIMITS.maxSize ** 2, pictureBytes: 1 << 20 };

  it('stay under the budget at the largest values their parameters allow, but for inpainting', () => {
    for (const unet of [general, fewStep]) {
      expect(digitCost(drawing(unet, 1, LIMITS.maxSteps), LIMITS.maxSize)).toBeLessThan(BUDGET);
      expect(editCost(drawing(unet, 1, LIMITS.maxSteps), largestUpload, false)).toBeLessThan(BUDGET);
    }
  });

  it('refuse inpainting a large picture that does not compress with many steps, not a drawing of that size', () => {
    expect(refusal(() => editCost(drawing(general, 1, LIMITS.maxSteps), largestUpload, true))).toMatch(/^inpainting a picture of 1048576 pixels and 1048576 bytes with 100 network calls is an estimated \d+ ms of CPU.*\(fewer steps or resamples, or a smaller picture\)$/);
    expect(refusal(() => editCost(drawing(fewStep, 1, 2), largestUpload, true))).toBeNull();
    // A drawing compresses to a few bytes per row: 1024² in 50 kB.
    expect(refusal(() => editCost(drawing(general, 1, LIMITS.maxSteps), { pixels: LIMITS.maxSize ** 2, pictureBytes: 50_000 }, true))).toBeNull();
  });
});

describe('the rate limit’s price', () => {
  it('is one unit per started 25 ms, at least one: the default digit 1, the largest allowed request 40', () => {
    expect(priceInUnits(digitCost(drawing(fewStep, 1, 2), 28))).toBe(1);
    expect(priceInUnits(0)).toBe(1);
    expect(priceInUnits(LIMITS.rateUnitMs + 0.1)).toBe(2);
    expect(priceInUnits(BUDGET)).toBe(40);
  });

  it('grows with what is drawn: a sheet costs more than its digit, an upload more than a drawn digit', () => {
    const digit = digitCost(drawing(general, 1, 10), 28);
    expect(priceInUnits(sheetCost(drawing(general, 80, 10), 28))).toBeGreaterThan(20 * priceInUnits(digit));
    expect(editCost(drawing(general, 1, 10), { pixels: 1024 * 1024, pictureBytes: 50_000 }, false)).toBeGreaterThan(digit + 300);
  });
});
