/**
 * `npm run eval -- --style`: the style issue's measures (measure.ts) for every
 * model with style inputs, at the steps given per model, the sampler and the
 * guidance it serves in a given hand (or each of --style-guidance), on
 * class-balanced held-out MNIST test digits; written to reports/style.json and
 * .md. Nothing is chosen here, so one seed range serves.
 */
import { Rng } from '../../../src/model/rng';
import { samplingAt } from '../../../src/model/sampling-defaults';
import { initBackend } from '../../train/backend';
import { loadMnist } from '../../train/mnist';
import { formatDuration } from '../../train/progress';
import { UsageError, type EvalArgs } from '../args';
import { loadInstruments } from '../instruments';
import { loadModels, summarizeModel } from '../models';
import { balancedSubset } from '../references';
import { restyleTargets } from '../restyle';
import { commandReportHeader } from '../report-header';
import { writeReport } from '../reports';
import { follow, oneHand, restyleKeeps, type StyleSettings } from './measure';
import { styleMarkdown, type StyleModelResult, type StyleReport } from './report';

export async function runStyle(args: EvalArgs): Promise<void> {
  const style = args.style!;
  const started = performance.now();
  const backend = await initBackend('wasm');
  const models = (await loadModels(args.models)).filter((m) => {
    if (!m.unet.styleFeatures) console.log(`${m.name}: no style inputs, skipped`);
    return !!m.unet.styleFeatures;
  });
  if (!models.length) throw new UsageError('--style: none of --models has style inputs (architecture.styleFeatures)');
  const { instruments } = loadInstruments(args);
  const sources = balancedSubset(loadMnist('test'), args.perClass, new Rng(args.seed ^ 0x57e1));
  const results: StyleModelResult[] = [];
  const runs = models.flatMap((m) => {
    const served = m.manifest.sampling;
    return (style.steps[m.name] ?? [served.defaultSteps]).flatMap((steps) => {
      // At the set's own defaults, as the Worker draws a hand with the set that draws it (the hand set).
      const scales = style.guidance.length ? style.guidance : [samplingAt(served, steps).defaultGuidance];
      return scales.map((guidance): { m: typeof m; settings: StyleSettings } => ({ m, settings: { steps, guidance, sampler: served.defaultSampler } }));
    });
  });
  for (const { m, settings } of runs) {
    const t0 = performance.now();
    const log = (what: string) => console.log(`${m.name} (${settings.steps} ${settings.sampler} steps, guidance ${settings.guidance}): ${what} · ${formatDuration((performance.now() - t0) / 1000)}`);
    const control = await follow(m, settings, sources, sources.labels, args.seed, instruments);
    log(`control r slant ${control.r.slant.toFixed(3)} thickness ${control.r.thickness.toFixed(3)} (no style ${control.noStyle.slant.toFixed(2)}/${control.noStyle.thickness.toFixed(2)}), read as asked ${(100 * control.readAs.selection).toFixed(1)}/${(100 * control.readAs.reporting).toFixed(1)}%`);
    const imitation = await follow(m, settings, sources, restyleTargets(sources.labels), args.seed, instruments);
    log(`imitation r slant ${imitation.r.slant.toFixed(3)} thickness ${imitation.r.thickness.toFixed(3)}, read as asked ${(100 * imitation.readAs.selection).toFixed(1)}/${(100 * imitation.readAs.reporting).toFixed(1)}%`);
    const hand = await oneHand(m, settings, sources, style.numberLength, args.seed);
    log(`one hand: within ÷ between slant ${hand.ratio.slant.toFixed(2)} thickness ${hand.ratio.thickness.toFixed(2)} (no style ${hand.noStyleRatio.slant.toFixed(2)}/${hand.noStyleRatio.thickness.toFixed(2)})`);
    const restyle = await restyleKeeps(m, settings, sources, args.restyleStrengths, args.seed, instruments);
    for (const x of restyle) log(`restyle s=${x.strength}: r slant ${x.r.slant.toFixed(2)} thickness ${x.r.thickness.toFixed(2)}, read as asked ${(100 * x.readAs.selection).toFixed(1)}%`);
    results.push({ model: m.name, settings, control, imitation, oneHand: hand, restyle });
  }
  const report: StyleReport = {
    kind: 'style',
    ...commandReportHeader(started, backend.device),
    sources: { digits: sources.count, perClass: args.perClass, seed: args.seed },
    models: models.map(summarizeModel),
    results,
  };
  const files = writeReport(args.out, 'style', report, styleMarkdown(report));
  console.log(`wrote ${files.json} and ${files.markdown} in ${formatDuration(report.wallSeconds)}`);
}
