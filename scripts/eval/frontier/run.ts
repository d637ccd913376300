/**
 * `npm run eval -- --frontier`: the guidance sweep of every model (sweep.ts),
 * the choice per model on the selection seeds (choice.ts), the report of
 * every row on the reporting seeds, the students against the teacher
 * (compare.ts), and reports/frontier.json, .md and .png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../train/backend';
import { loadMnist } from '../../train/mnist';
import { formatDuration, Progress } from '../../train/progress';
import type { EvalArgs } from '../args';
import type { ClassifierManifest } from '../classifier-weights';
import { networkCallsPerDigit } from '../evaluate';
import { loadInstruments, scoreSettings } from '../instruments';
import { loadModels, summarizeModel } from '../models';
import { buildRealReference } from '../real-reference';
import { commandReportHeader } from '../report-header';
import { writeReport } from '../reports';
import { SPACE_NAMES } from '../spaces';
import { ruleText } from './choice';
import { spaceScore, standAgainstTeacher, targetChecks } from './compare';
import { frontierFigure } from './figure';
import { frontierMarkdown, type FrontierReport, type InstrumentSummary } from './report';
import { frontierRows, runSweep, type FrontierRow } from './sweep';

export async function runFrontier(args: EvalArgs): Promise<void> {
  const frontier = args.frontier!;
  const started = performance.now();
  const backend = await initBackend('wasm');
  const models = await loadModels(args.models);
  const { instruments, manifests } = loadInstruments(args);
  const rows = frontierRows(models, args.guidance, frontier.steps, frontier.guidanceInterval);
  const modelOf = (row: FrontierRow) => models.find((m) => m.name === row.model)!;
  const calls = (row: FrontierRow) => networkCallsPerDigit(modelOf(row).unet, row.settings.steps, row.settings.guidance);
  const digits = { selection: frontier.selectionPerClass * 10, reporting: args.perClass * 10 };
  const work = rows.reduce((n, r) => n + calls(r) * (digits.selection + digits.reporting), 0);
  for (const m of models) console.log(`${m.name}: ${m.dir} · weights ${m.manifest.version} · ${rows.filter((r) => r.model === m.name).length} guidance settings at ${rows.find((r) => r.model === m.name)!.settings.steps} steps`);
  console.log(`${rows.length} rows × (${digits.selection} selection + ${digits.reporting} reporting digits) · ${work} network calls · ${backend.device}`);

  console.log('references: both classifiers on the 10k test digits, test halves and real-vs-real floors per space…');
  const real = await buildRealReference(instruments, loadMnist('test'), args.seed, scoreSettings(args));
  const sized = real.sized(args.perClass);
  console.log(`floors (${sized.floorDigits} real digits of half B vs half A): ${sized.floor.map((f) => `${f.space} FID ${f.fid.toFixed(2)}`).join(', ')}`);

  // Network calls before each row of each phase: the selection pass runs first, then the reporting pass.
  const selectionWork = rows.map((r) => calls(r) * digits.selection);
  const before = (phase: 'selection' | 'reporting', k: number) =>
    (phase === 'reporting' ? selectionWork.reduce((a, b) => a + b, 0) : 0) + rows.slice(0, k).reduce((n, r) => n + calls(r) * digits[phase], 0);
  const progress = new Progress(work, 0);
  const genStarted = performance.now();
  const { results, choices } = await runSweep(models, rows, instruments, real, { perClass: args.perClass, seed: args.seed, batch: args.batch, frontier }, (phase, k, n) =>
    progress.update(before(phase, k) + n * calls(rows[k]), { phase, row: `${rows[k].model} g=${rows[k].settings.guidance}` }, (performance.now() - genStarted) / 1000),
  );
  progress.break();
  for (const c of choices) console.log(`${c.model}: chosen guidance ${c.guidance ?? 'none'} (${ruleText(c.rule, frontier.accuracyFloor)}), served ${c.servedGuidance}`);
  for (const r of results) {
    const spaces = SPACE_NAMES.map((s) => `${s} ×${spaceScore(r, s).fidRatio.toFixed(2)}`).join(' ');
    console.log(`${`${r.model} ${r.settings.steps} steps g=${r.settings.guidance}`.padEnd(30)} selection ${(100 * r.selection.accuracy.accuracy).toFixed(1)}% · reporting seeds ${(100 * r.reporting.accuracy.selection.accuracy).toFixed(1)}% / ${(100 * r.reporting.accuracy.reporting.accuracy).toFixed(1)}% · ${spaces}`);
  }

  const teacher = models[0].name;
  const teacherChosen = results.find((r) => r.model === teacher && r.chosen);
  const students = choices.slice(1).map((c) => ({ model: c.model, served: c.servedGuidance, chosen: c.guidance }));
  fs.mkdirSync(args.out, { recursive: true });
  const figure = path.join(args.out, 'frontier.png');
  const instrument = (dir: string, m: ClassifierManifest, measured: number): InstrumentSummary => ({
    dir,
    net: m.net ?? 'cnn3',
    architecture: m.architecture,
    featureDim: m.featureDim,
    sha256: m.binary.sha256,
    recordedTestAccuracy: m.test.accuracy,
    measuredTestAccuracy: measured,
    training: m.training,
  });
  const report: FrontierReport = {
    kind: 'frontier',
    ...commandReportHeader(started, backend.device),
    models: models.map(summarizeModel),
    instruments: {
      selection: instrument(args.classifierDir, manifests.selection, real.testAccuracy.selection),
      reporting: instrument(args.reportingClassifierDir, manifests.reporting, real.testAccuracy.reporting),
      pixels14: 'the digit 2×2-averaged to 14×14, ink in [0, 1] (196-d); no training, no classifier.',
    },
    seeds: {
      selection: { first: frontier.selectionSeed, last: frontier.selectionSeed + digits.selection - 1, perClass: frontier.selectionPerClass, digits: digits.selection },
      reporting: { first: args.seed, last: args.seed + digits.reporting - 1, perClass: args.perClass, digits: digits.reporting },
    },
    settings: {
      guidance: args.guidance,
      guidanceInterval: frontier.guidanceInterval,
      accuracyFloor: frontier.accuracyFloor,
      bootstrap: args.bootstrap,
      kidSubsets: args.kidSubsets,
      kidSubsetSize: args.kidSubsetSize,
      k: args.k,
      testHalves: `the 10k MNIST test digits split at random (permutation seeded by --seed) into half A (${real.halfSize}, the reference) and half B (${real.halfSize}, the floor's real digits).`,
    },
    reference: { floor: sized.floor, floorDigits: sized.floorDigits, census: real.census },
    choices: choices.map((c) => ({ ...c, ruleText: ruleText(c.rule, frontier.accuracyFloor) })),
    results,
    standAgainstTeacher: standAgainstTeacher(results, teacher, students),
    targets: students.flatMap((s) =>
      (['served', 'chosen'] as const).flatMap((point) => {
        const guidance = point === 'served' ? s.served : s.chosen;
        const row = results.find((r) => r.model === s.model && r.settings.guidance === guidance);
        return row && guidance !== null ? [{ model: s.model, point, guidance, checks: targetChecks(row, teacherChosen, sized.floor, real.census, frontier.accuracyFloor) }] : [];
      }),
    ),
    figure,
  };
  fs.writeFileSync(figure, frontierFigure(report));
  const files = writeReport(args.out, 'frontier', report, frontierMarkdown(report));
  console.log(`wrote ${files.json}, ${files.markdown} and ${figure} in ${formatDuration(report.wallSeconds)}`);
}
