/**
 * The sheet cost bound. The served guidance-distilled students run one row per
 * digit at any guidance; the general 8/16/48 set fits 160 digits up to 88 steps
 * in the 10 s budget, so only the very largest sheets are refused, with a 400
 * that names the cost (the refusal path is src/params.ts checkSheetBudget,
 * tested through the Worker in test/worker-upload-errors.test.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../src/limits';
import { estimateSheetMs } from '../src/model/sheet';
import type { UNetConfig } from '../src/model/unet';

const SHEET_BUDGET_MS = LIMITS.sheetBudgetMs;

const teacher = JSON.parse(fs.readFileSync('weights/teacher/manifest.json', 'utf8')).architecture as UNetConfig;
const served = JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')).architecture as UNetConfig;
const fewStep = JSON.parse(fs.readFileSync('weights/few-step/manifest.json', 'utf8')) as { architecture: UNetConfig; sampling: { maxSteps: number } };

describe('sheet budget', () => {
  it('prices the teacher as measured: 0.6 ms per call + 1.85 ms per row, two rows per guided digit', () => {
    expect(estimateSheetMs(teacher, 80, 10, 2)).toBeCloseTo(10 * (5 * 0.6 + 160 * 1.85), -1);
    expect(estimateSheetMs(teacher, 160, 100, 2)).toBeGreaterThan(SHEET_BUDGET_MS);
    expect(estimateSheetMs(teacher, 160, 10, 1)).toBeCloseTo(estimateSheetMs(teacher, 80, 10, 2), 6);
  });

  it('prices the one-row student at any guidance: 160 digits fit up to 88 steps', () => {
    expect(estimateSheetMs(served, 160, 100, 3)).toBe(estimateSheetMs(served, 160, 100, 1));
    expect(estimateSheetMs(served, 160, 88, 3)).toBeLessThan(SHEET_BUDGET_MS);
    expect(estimateSheetMs(served, 160, 89, 3)).toBeGreaterThan(SHEET_BUDGET_MS);
  });

  it('lets the few-step set’s largest sheet through: 160 digits at its most steps', () => {
    expect(estimateSheetMs(fewStep.architecture, 160, fewStep.sampling.maxSteps, 3)).toBeLessThan(SHEET_BUDGET_MS);
  });

});
