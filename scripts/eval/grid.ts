/**
 * Which configurations eval runs. The full product (6 steps × 2 samplers ×
 * 3 guidance scales × 2 precisions) costs ≈35 min of one wasm thread per 1000
 * digits here, so by default it is two sweeps through the served default
 * (the manifest's sampling defaults):
 *  - steps sweep: every steps value × every sampler, at the default guidance of
 *    that step count (samplingAt: a set may default long runs otherwise);
 *  - guidance sweep: every guidance value at the default steps and sampler;
 * and fp32 (when a checkpoint is given) repeats the guidance sweep only.
 * Each weight set gets its own grid from its own manifest's defaults, so
 * every model has a row at the request it serves when `steps` is left out.
 */
import { samplingAt } from '../../src/model/sampling-defaults';
import type { Manifest } from '../../src/model/weights';
import type { EvalArgs } from './args';
import type { GridConfig } from './evaluate';

export function buildGrid(args: Pick<EvalArgs, 'steps' | 'samplers' | 'guidance' | 'full' | 'fp32All'>, defaults: Manifest['sampling'], withFp32: boolean): GridConfig[] {
  const int8: GridConfig[] = [];
  const add = (list: GridConfig[], cfg: GridConfig) => {
    if (!list.some((c) => c.sampler === cfg.sampler && c.steps === cfg.steps && c.guidance === cfg.guidance)) list.push(cfg);
  };
  const guidanceSweep = [...new Set([...args.guidance, defaults.defaultGuidance])];
  for (const sampler of args.samplers) {
    for (const steps of args.steps) {
      for (const guidance of args.full ? args.guidance : [samplingAt(defaults, steps).defaultGuidance]) add(int8, { precision: 'int8', sampler, steps, guidance });
    }
  }
  const sweep: GridConfig[] = guidanceSweep.map((guidance) => ({ precision: 'int8', sampler: defaults.defaultSampler, steps: defaults.defaultSteps, guidance }));
  for (const cfg of sweep) add(int8, cfg);
  int8.sort((a, b) => a.sampler.localeCompare(b.sampler) || a.steps - b.steps || a.guidance - b.guidance);
  if (!withFp32) return int8;
  const fp32 = (args.fp32All ? int8 : int8.filter((c) => sweep.some((s) => s.sampler === c.sampler && s.steps === c.steps && s.guidance === c.guidance)))
    .map((c) => ({ ...c, precision: 'fp32' as const }));
  return [...int8, ...fp32];
}
