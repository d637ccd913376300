/**
 * Headline figures of the eval and bench reports into the weights manifest's
 * "metrics" (served by GET /model), with the date and machine they were
 * measured on. Only metrics.quality / metrics.speed are replaced; "binary",
 * "tensors", "version" and everything else stay byte-for-byte as they were,
 * so model.bin's checksum and the weights version (ETags, cache keys) do not
 * move. A report compares several weight sets; a folder gets the figures of
 * the set whose version it holds, and refuses a report that did not measure it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { samplingAt } from '../../src/model/sampling-defaults';
import type { Manifest } from '../../src/model/weights';
import { writeAtomic } from '../train/export';
import type { BenchReport } from '../bench/bench-report';
import type { EvalReport } from './eval-report';
import type { ModelSummary } from './models';

export type MetricsKey = 'quality' | 'speed';

export function recordMetrics(weightsDir: string, key: MetricsKey, weightsVersion: string, figures: Record<string, unknown>): string {
  const file = path.join(weightsDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (manifest.version !== weightsVersion) {
    throw new Error(`${file} is version ${manifest.version}, but the report measured ${weightsVersion}: rerun the measurement on these weights`);
  }
  manifest.metrics = { ...manifest.metrics, [key]: figures };
  // The exporter's formatting (one-space indent, trailing newline), so the diff is the metrics only.
  writeAtomic(file, JSON.stringify(manifest, null, 1) + '\n');
  return file;
}

/** Records the figures of the measured model whose version `weightsDir` holds. */
export function recordFor(weightsDir: string, key: MetricsKey, measured: ModelSummary[], headline: (m: ModelSummary) => Record<string, unknown>): string {
  const file = path.join(weightsDir, 'manifest.json');
  const { version } = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  const model = measured.find((m) => m.version === version);
  if (!model) throw new Error(`${file} is version ${version}, but the report measured ${measured.map((m) => m.version).join(', ')}: rerun the measurement on these weights`);
  return recordMetrics(weightsDir, key, version, headline(model));
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? +x.toFixed(digits) : null);

/** metrics.quality of one measured model: its served default configuration, the steps sweep of its sampler, restyle, and the references. */
export function qualityHeadline(r: EvalReport, model: ModelSummary): Record<string, unknown> {
  const d = model.sampling;
  const mine = r.results.filter((x) => x.model === model.name);
  const int8 = mine.filter((x) => x.precision === 'int8');
  // At the set's defaults for the row's step count: its sampler and the guidance a request of those steps gets.
  const asServed = (x: EvalReport['results'][number]) => x.sampler === d.defaultSampler && x.guidance === samplingAt(d, x.steps).defaultGuidance;
  const served = int8.find((x) => asServed(x) && x.steps === d.defaultSteps);
  const servedFp32 = mine.find((x) => x.precision === 'fp32' && asServed(x) && x.steps === d.defaultSteps);
  const brief = (x: EvalReport['results'][number]) => ({
    sampler: x.sampler,
    steps: x.steps,
    guidance: x.guidance,
    accuracy: round(x.accuracy, 4),
    // Reports written before eval had intervals lack the field, whatever the type says.
    ...((x.accuracyInterval as [number, number] | undefined) ? { accuracyInterval: x.accuracyInterval.map((v) => round(v, 4)) } : {}),
    fid: round(x.fid, 3),
    diversity: round(x.diversity.ratio, 3),
    nearestTrainRatio: round(x.nearestTrain.medianRatioToReal, 3),
    backgroundShare: round(x.backgroundShare, 4),
  });
  return {
    date: r.date,
    machine: r.machine,
    source: 'npm run eval (reports/eval.json)',
    digitsPerConfig: r.settings.digitsPerConfig,
    classifierTestAccuracy: round(r.classifier.measuredTestAccuracy, 4),
    fidFloor: round(r.reference.fidFloor, 3),
    realBackgroundShare: round(r.reference.realBackgroundShare, 4),
    served: served ? brief(served) : null,
    servedFp32: servedFp32 ? { ...brief(servedFp32), checkpointStep: r.fp32.find((f) => f.model === model.name)?.step } : null,
    stepsSweep: int8.filter(asServed).map(brief),
    guidanceSweep: int8.filter((x) => x.sampler === d.defaultSampler && x.steps === d.defaultSteps).map(brief),
    restyleTransfer: r.restyle.filter((x) => x.model === model.name).map((x) => ({ strength: x.strength, steps: x.steps, guidance: x.guidance, transfer: round(x.transfer, 4) })),
  };
}

/** metrics.speed of one timed model: per-digit latency, efficiency, cold start; bundle, workerd and HTTP when it is the bundled one. */
export function speedHeadline(r: BenchReport, model: ModelSummary): Record<string, unknown> {
  const m = r.models.find((x) => x.name === model.name)!;
  // The Worker serves several weight sets: each gets the workerd rows its weights drew, and the HTTP
  // runs only if its weights drew all of them; a model the Worker does not serve gets none.
  const bundled = r.workerd?.weightSets?.some((set) => set.weightsVersion === m.version) ?? false; // reports before weightSets: none
  const rows = bundled ? r.workerd!.rows.filter((x) => x.weightsVersion === m.version) : [];
  const httpVersions = new Set(Object.values(r.http?.runs ?? {}).flatMap((run) => Object.keys(run.weights)));
  const drewHttp = httpVersions.size === 1 && httpVersions.has(m.version);
  return {
    date: r.date,
    machine: r.machine,
    source: 'npm run bench (reports/bench.json)',
    backend: r.backend,
    parameters: m.parameters,
    weightBytes: m.weightBytes,
    mflopsPerNetworkCall: round(m.mflopsPerNetworkCall, 2),
    msPerDigit: r.generation.filter((g) => g.model === m.name).map((g) => ({ steps: g.steps, guidance: g.guidance, ms: round(g.medianMs, 2) })),
    gflops: round(m.served.gflops, 2),
    peakGflops: round(r.peak.gflops, 2),
    shareOfPeak: round(m.served.shareOfPeak, 3),
    cpuBackendSlowdown: r.cpuBackend?.model === m.name ? round(r.cpuBackend.slowdown, 1) : null,
    coldStartMs: round(m.coldStart.totalMedianMs, 1),
    bundleGzipKiB: r.bundle && bundled ? round(r.bundle.gzipBytes / 1024, 1) : null,
    workerd: bundled ? rows.map((x) => ({ path: x.path, requestMs: round(x.requestMs, 2), assetsRouterMs: round(x.assetsRouterMs, 2), dispatchMs: round(x.dispatchMs, 2), isolateMs: round(x.isolateMs, 2), modelMs: x.modelMs === null ? null : round(x.modelMs, 2) })) : null,
    http: r.http && drewHttp
      ? Object.fromEntries(Object.entries(r.http.runs).map(([k, v]) => [k, { requestsPerSecond: round(v.requestsPerSecond, 1), p50Ms: v.p50Ms, p99Ms: v.p99Ms }]))
      : null,
  };
}
