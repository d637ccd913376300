/**
 * Measured speed: `npm run bench -- [flags]` (--help lists them).
 *
 * One run, one thread, the Worker's model code: ms per digit for several step
 * counts with and without guidance, MFLOP per network call and achieved
 * GFLOP/s against this machine's peak for the same backend, the pure-JS cpu
 * backend as a ratio, cold start, bundle size, and requests/s + latency of the
 * bundled Worker under autocannon (no cache, cache misses, cache hits). Bounded in
 * count and time; writes reports/bench.json and reports/bench.md; --record
 * merges the headline into weights/manifest.json's metrics. A benchmark, not
 * a test: nothing fails on a time.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { flopsPerImage } from '../src/model/unet';
import { initBackend } from './train/backend';
import { loadShippedModel } from './eval/models';
import { recordMetrics, speedHeadline } from './eval/record';
import { loadAverage, machineDescription, REPORTS_DIR, writeReport } from './eval/reports';
import { benchMarkdown, type BenchReport } from './bench/bench-report';
import { buildBundle } from './bench/bundle';
import { measureColdStart } from './bench/cold-start';
import { timeDigits, timePngEncode } from './bench/generation';
import { benchHttp } from './bench/http-load';
import { measurePeak } from './bench/peak';

const USAGE = `Usage: npm run bench -- [flags]
  --steps LIST          step counts (default 1,4,10,25,50)
  --reps N              timed repetitions per setting after warm-up (default 20)
  --cold-starts N       fresh processes for the cold start (default 5)
  --cpu-seconds S       time budget for the pure-JS cpu backend (default 60; 0 skips it)
  --connections N       concurrent HTTP connections (default 4)
  --fresh-requests N    requests that run the model, in each of the no-seed and fresh-seed runs (default 200)
  --cached-requests N   cache-hit requests (default 2000)
  --http-seconds S      time cap of each HTTP run (default 30)
  --no-http             skip the bundle and HTTP measurements
  --weights DIR         weights folder (default weights)
  --out DIR             reports folder (default ${REPORTS_DIR})
  --record              merge the headline into <weights>/manifest.json's "metrics"`;

const { values: flags } = parseArgs({
  options: {
    steps: { type: 'string', default: '1,4,10,25,50' },
    reps: { type: 'string', default: '20' },
    'cold-starts': { type: 'string', default: '5' },
    'cpu-seconds': { type: 'string', default: '60' },
    connections: { type: 'string', default: '4' },
    'fresh-requests': { type: 'string', default: '200' },
    'cached-requests': { type: 'string', default: '2000' },
    'http-seconds': { type: 'string', default: '30' },
    'no-http': { type: 'boolean', default: false },
    weights: { type: 'string', default: 'weights' },
    out: { type: 'string', default: REPORTS_DIR },
    record: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function count(name: string, min: number): number {
  const raw = flags[name as keyof typeof flags] as string;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}\n\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  if (flags.help) return console.log(USAGE);
  const stepsList = flags.steps!.split(',').map((s) => Number(s.trim()));
  if (!stepsList.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`--steps must list integers ≥ 1, got ${flags.steps}\n\n${USAGE}`);
  const reps = count('reps', 1);
  const started = performance.now();
  const loadAtStart = loadAverage();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  log(`cold start: ${count('cold-starts', 1)} fresh processes…`);
  const coldStart = measureColdStart(count('cold-starts', 1), flags.weights!);

  const backend = await initBackend('wasm');
  const model = await loadShippedModel(flags.weights);
  const d = model.manifest.sampling;
  const mflops = flopsPerImage(model.unet) / 1e6;
  log(`weights ${model.manifest.version} · ${mflops.toFixed(2)} MFLOP per network call · ${backend.device}`);

  log('peak: large matmul and conv on the same backend…');
  const peak = await measurePeak();

  // The served default rides along when --steps leaves it out, so the summary always has it.
  const settings = [1, d.defaultGuidance].flatMap((guidance) => stepsList.map((steps) => ({ steps, guidance, sampler: d.defaultSampler })));
  const servedKey = (g: { steps: number; guidance: number }) => g.steps === d.defaultSteps && g.guidance === d.defaultGuidance;
  if (!settings.some(servedKey)) settings.push({ steps: d.defaultSteps, guidance: d.defaultGuidance, sampler: d.defaultSampler });
  log(`per digit: ${settings.length} settings round-robin, ${reps} timed rounds after 3 warm-up rounds…`);
  const generation = await timeDigits(model, settings, { warmup: 3, reps, maxSeconds: 300 });
  for (const g of generation) {
    log(`${String(g.steps).padStart(2)} steps, guidance ${g.guidance}: ${g.medianMs.toFixed(2)} ms per digit (median of ${g.reps}; p10 ${g.p10Ms.toFixed(1)}, p90 ${g.p90Ms.toFixed(1)}) · ${g.gflops.toFixed(1)} GFLOP/s`);
  }
  const served = generation.find(servedKey)!;
  const pngEncode = await timePngEncode(model, { warmup: 3, reps, maxSeconds: 10 });

  let cpuBackend: BenchReport['cpuBackend'] = null;
  const cpuSeconds = count('cpu-seconds', 0);
  if (cpuSeconds > 0) {
    log(`pure-JS cpu backend, ${d.defaultSteps} steps guidance ${d.defaultGuidance} (up to ${cpuSeconds} s)…`);
    await tf.setBackend('cpu');
    const cpuModel = await loadShippedModel(flags.weights);
    const [t] = await timeDigits(cpuModel, [{ steps: d.defaultSteps, guidance: d.defaultGuidance, sampler: d.defaultSampler }], { warmup: 1, reps, maxSeconds: cpuSeconds });
    tf.dispose(Object.values(cpuModel.params));
    await tf.setBackend('wasm');
    cpuBackend = { steps: t.steps, guidance: t.guidance, sampler: t.sampler, reps: t.reps, medianMs: t.medianMs, wasmMedianMs: served.medianMs, slowdown: t.medianMs / served.medianMs };
    log(`cpu backend: ${t.medianMs.toFixed(0)} ms per digit (median of ${t.reps}) = ${cpuBackend.slowdown.toFixed(1)}× the wasm time`);
  }

  let bundle: BenchReport['bundle'] = null;
  let http: BenchReport['http'] = null;
  if (!flags['no-http']) {
    log('bundle: wrangler deploy --dry-run…');
    const built = buildBundle();
    const { dir, ...sizes } = built;
    bundle = sizes;
    log(`bundle ${(built.bytes / 1024).toFixed(1)} KiB raw, ${(built.gzipBytes / 1024).toFixed(1)} KiB gzip`);
    try {
      http = await benchHttp(dir, {
        connections: count('connections', 1),
        freshRequests: count('fresh-requests', 1),
        cachedRequests: count('cached-requests', 1),
        maxSeconds: count('http-seconds', 1),
      }, log);
      for (const [name, run] of Object.entries(http.runs)) {
        log(`HTTP ${name}: ${run.requestsPerSecond.toFixed(1)} req/s · p50 ${run.p50Ms} ms · p99 ${run.p99Ms} ms · ${run.requests} requests · X-Cache ${JSON.stringify(run.cache)}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const report: BenchReport = {
    kind: 'bench',
    date: new Date().toISOString(),
    machine: machineDescription(),
    loadAverage: { start: loadAtStart, end: loadAverage() },
    wallSeconds: (performance.now() - started) / 1000,
    backend: `tfjs wasm (${backend.device})`,
    weights: { dir: flags.weights!, version: model.manifest.version, sampling: d },
    mflopsPerNetworkCall: mflops,
    generation,
    pngEncode,
    peak,
    cpuBackend,
    coldStart,
    bundle,
    http,
    summary: { servedMs: served.medianMs, servedGflops: served.gflops, servedShareOfPeak: served.gflops / peak.gflops },
  };
  const files = writeReport(flags.out!, 'bench', report, benchMarkdown(report));
  log(`wrote ${files.json} and ${files.markdown}`);
  if (flags.record) log(`recorded metrics.speed in ${recordMetrics(flags.weights!, 'speed', model.manifest.version, speedHeadline(report))}`);
}

main().catch((err) => {
  console.error(`\nbench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
