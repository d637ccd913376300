/**
 * Headline figures of the eval and bench reports into the weights manifest's
 * "metrics" (served by GET /model), with the date and machine they were
 * measured on. Only metrics.quality / metrics.speed are replaced; "binary",
 * "tensors", "version" and everything else stay byte-for-byte as they were,
 * so model.bin's checksum and the weights version (ETags, cache keys) do not
 * move. Refuses a report measured on other weights.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../../src/model/weights';
import { writeAtomic } from '../train/export';
import type { BenchReport } from '../bench/bench-report';
import type { EvalReport } from './eval-report';

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

const round = (x: number, digits: number) => (Number.isFinite(x) ? +x.toFixed(digits) : null);

/** metrics.quality: the served default configuration, the steps sweep of its sampler, and the references. */
export function qualityHeadline(r: EvalReport): Record<string, unknown> {
  const d = r.weights.sampling;
  const int8 = r.results.filter((x) => x.precision === 'int8');
  const served = int8.find((x) => x.sampler === d.defaultSampler && x.steps === d.defaultSteps && x.guidance === d.defaultGuidance);
  const servedFp32 = r.results.find((x) => x.precision === 'fp32' && x.sampler === d.defaultSampler && x.steps === d.defaultSteps && x.guidance === d.defaultGuidance);
  const brief = (x: EvalReport['results'][number]) => ({
    sampler: x.sampler,
    steps: x.steps,
    guidance: x.guidance,
    accuracy: round(x.accuracy, 4),
    fid: round(x.fid, 3),
    diversity: round(x.diversity.ratio, 3),
    nearestTrainRatio: round(x.nearestTrain.medianRatioToReal, 3),
  });
  return {
    date: r.date,
    machine: r.machine,
    source: 'npm run eval (reports/eval.json)',
    digitsPerConfig: r.settings.digitsPerConfig,
    classifierTestAccuracy: round(r.classifier.measuredTestAccuracy, 4),
    fidFloor: round(r.reference.fidFloor, 3),
    served: served ? brief(served) : null,
    servedFp32: servedFp32 ? { ...brief(servedFp32), checkpointStep: r.fp32?.step } : null,
    stepsSweep: int8.filter((x) => x.sampler === d.defaultSampler && x.guidance === d.defaultGuidance).map(brief),
    guidanceSweep: int8.filter((x) => x.sampler === d.defaultSampler && x.steps === d.defaultSteps).map(brief),
  };
}

/** metrics.speed: per-digit latency, efficiency, cold start, bundle, HTTP. */
export function speedHeadline(r: BenchReport): Record<string, unknown> {
  return {
    date: r.date,
    machine: r.machine,
    source: 'npm run bench (reports/bench.json)',
    backend: r.backend,
    mflopsPerNetworkCall: round(r.mflopsPerNetworkCall, 2),
    msPerDigit: r.generation.map((g) => ({ steps: g.steps, guidance: g.guidance, ms: round(g.medianMs, 2) })),
    gflops: round(r.summary.servedGflops, 2),
    peakGflops: round(r.peak.gflops, 2),
    shareOfPeak: round(r.summary.servedShareOfPeak, 3),
    cpuBackendSlowdown: r.cpuBackend ? round(r.cpuBackend.slowdown, 1) : null,
    coldStartMs: round(r.coldStart.totalMedianMs, 1),
    bundleGzipKiB: r.bundle ? round(r.bundle.gzipBytes / 1024, 1) : null,
    http: r.http
      ? Object.fromEntries(Object.entries(r.http.runs).map(([k, v]) => [k, { requestsPerSecond: round(v.requestsPerSecond, 1), p50Ms: v.p50Ms, p99Ms: v.p99Ms }]))
      : null,
  };
}
