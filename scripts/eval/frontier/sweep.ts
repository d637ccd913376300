/**
 * The frontier's sweep: every model at every guidance of the list (plus the
 * guidance it serves), each row drawn twice from disjoint seed ranges:
 *  - selection seeds, read by the selection classifier only: accuracy and
 *    selection-space FID, the only figures the choice rule sees;
 *  - reporting seeds, scored by every instrument (both classifiers, every
 *    space, the grey census): what the report shows, never used to choose.
 * Each row carries its own sampler settings, so a new sampler option (a
 * guidance interval, say) is a new row, not new code.
 */
import type { GuidanceInterval } from '../../../src/model/sampler';
import { samplingAt } from '../../../src/model/sampling-defaults';
import type { FrontierArgs } from '../args';
import { classify } from '../classifier';
import { accuracyReading, generateSet, networkCallsPerDigit, scoreInstruments, type AccuracyReading, type GeneratedSet, type SamplerSettings, type SetScores } from '../evaluate';
import { frechetDistanceFrom, gaussianOf } from '../fid';
import type { NamedModel } from '../models';
import type { RealReference } from '../real-reference';
import type { Instruments } from '../spaces';
import { chooseSetting, type ChoiceRule } from './choice';

export interface FrontierRow {
  model: string;
  settings: SamplerSettings;
  /** The guidance the model's manifest serves by default (at these steps: the request `steps=<steps>`). */
  served: boolean;
}

export interface SelectionScores {
  digits: number;
  accuracy: AccuracyReading;
  fid: number;
}

export interface FrontierResult extends FrontierRow {
  networkCallsPerDigit: number;
  selection: SelectionScores;
  reporting: SetScores;
  chosen: boolean;
  msPerDigit: number;
}

export interface ModelChoice {
  model: string;
  rule: ChoiceRule;
  /** The chosen guidance, or null when no row reached the floor. */
  guidance: number | null;
  steps: number;
  sampler: string;
  servedGuidance: number;
}

/** Rows of one model per guidance (the served guidance added), at the model's frontier steps, default sampler and guidance interval (the run's, else its own). */
export function frontierRows(models: NamedModel[], guidance: number[], stepsByName: Record<string, number>, guidanceInterval: GuidanceInterval | null = null): FrontierRow[] {
  return models.flatMap((m) => {
    const { defaultSampler, defaultSteps } = m.manifest.sampling;
    const names = m.name.split(' = ');
    const steps = names.map((n) => stepsByName[n]).find((s) => s !== undefined) ?? defaultSteps;
    const { defaultGuidance, guidanceInterval: own } = samplingAt(m.manifest.sampling, steps);
    const scales = [...new Set([...guidance, defaultGuidance])].sort((a, b) => a - b);
    // The run's interval, else the set's own at these steps; a row is the served setting only where both agree.
    const interval = guidanceInterval ?? own;
    const asServed = JSON.stringify(interval) === JSON.stringify(own);
    return scales.map((g) => ({ model: m.name, settings: { sampler: defaultSampler, steps, guidance: g, ...(interval ? { guidanceInterval: interval } : {}) }, served: asServed && g === defaultGuidance }));
  });
}

/** The first model is the reference (the teacher): it gets its best setting; the others the lowest guidance that reaches the floor. */
export function ruleFor(modelIndex: number): ChoiceRule {
  return modelIndex === 0 ? 'best-fid' : 'lowest-guidance';
}

/** Called as digits of row `index` are drawn, in each phase in turn. */
export type SweepProgress = (phase: 'selection' | 'reporting', index: number, digitsDone: number) => void;

export async function runSweep(
  models: NamedModel[],
  rows: FrontierRow[],
  instruments: Instruments,
  real: RealReference,
  args: { perClass: number; seed: number; batch: number; frontier: FrontierArgs },
  progress: SweepProgress,
): Promise<{ results: FrontierResult[]; choices: ModelChoice[] }> {
  const modelOf = (row: FrontierRow) => models.find((m) => m.name === row.model)!;
  const { selectionPerClass, selectionSeed, accuracyFloor } = args.frontier;

  const selection: SelectionScores[] = [];
  for (const [k, row] of rows.entries()) {
    const set = await generateSet(modelOf(row), row.settings, selectionPerClass, selectionSeed, args.batch, (n) => progress('selection', k, n));
    selection.push(await selectionScores(set, instruments, real));
  }

  const choices: ModelChoice[] = models.map((m, i) => {
    const own = rows.map((row, k) => ({ row, k })).filter(({ row }) => row.model === m.name);
    const rule = ruleFor(i);
    const chosen = chooseSetting(own.map(({ row, k }) => ({ guidance: row.settings.guidance, accuracy: selection[k].accuracy.accuracy, fid: selection[k].fid })), rule, accuracyFloor);
    const first = own[0].row.settings;
    return { model: m.name, rule, guidance: chosen?.guidance ?? null, steps: first.steps, sampler: first.sampler, servedGuidance: samplingAt(m.manifest.sampling, first.steps).defaultGuidance };
  });

  const results: FrontierResult[] = [];
  for (const [k, row] of rows.entries()) {
    const model = modelOf(row);
    const set = await generateSet(model, row.settings, args.perClass, args.seed, args.batch, (n) => progress('reporting', k, n));
    const { scores } = await scoreInstruments(set, instruments, real, args.perClass);
    const choice = choices.find((c) => c.model === row.model)!;
    results.push({
      ...row,
      networkCallsPerDigit: networkCallsPerDigit(model.unet, row.settings.steps, row.settings.guidance),
      selection: selection[k],
      reporting: scores,
      chosen: choice.guidance === row.settings.guidance,
      msPerDigit: set.ms / set.count,
    });
  }
  return { results, choices };
}

async function selectionScores(set: GeneratedSet, instruments: Instruments, real: RealReference): Promise<SelectionScores> {
  const readout = await classify(instruments.selection, set.pixels, set.count);
  const fid = frechetDistanceFrom(real.gaussians.selection, gaussianOf(readout.features, set.count, instruments.selection.net.featureDim));
  return { digits: set.count, accuracy: accuracyReading(readout.predicted, set.labels), fid };
}
