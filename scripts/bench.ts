/**
 * Measured speed: `npm run bench -- [flags]` (--help lists them).
 *
 * One run, one thread, the Worker's model code, for every weight set named
 * by --models (the teacher and its distilled students, timed round-robin in
 * the same run): ms per digit for several step counts with and without
 * guidance, parameters, weight bytes, MFLOP per network call and achieved
 * GFLOP/s against this machine's peak for the same backend, cold start; the
 * pure-JS cpu backend as a ratio; bundle size; the bundled Worker (every
 * weight set it serves: src/model/weight-sets.ts) inside workerd request by
 * request with where the time goes, each request naming the weights that drew
 * it; and requests/s + latency of default requests under autocannon (no cache,
 * cache misses, cache hits).
 * Bounded in count and time; writes reports/bench.json and reports/bench.md;
 * --record merges each model's headline into its manifest's metrics. A
 * benchmark, not a test: nothing fails on a time.
 * With --soak it measures fair share instead (scripts/bench/soak.ts): GET
 * /healthz behind the largest request of each kind, a long mixed soak and a
 * burst, straight to workerd; it writes reports/soak.json and reports/soak.md.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { samplingAt } from '../src/model/sampling-defaults';
import { initBackend } from './train/backend';
import { DEFAULT_MODELS, loadModels, loadShippedModel, parseModelList, summarizeModel } from './eval/models';
import { recordFor, speedHeadline } from './eval/record';
import { loadAverage, machineDescription, REPORTS_DIR, writeReport } from './eval/reports';
import { benchMarkdown, type BenchModel, type BenchReport } from './bench/bench-report';
import { buildBundle } from './bench/bundle';
import { measureColdStart } from './bench/cold-start';
import { timeDigits, timeFirstRun, timePngEncode, type TimedSetting } from './bench/generation';
import { benchHttp } from './bench/http-load';
import { measurePeak } from './bench/peak';
import { benchSoak } from './bench/soak';
import { soakMarkdown, type SoakReport } from './bench/soak-report';
import { benchWorkerd, PROBE_ENTRY } from './bench/workerd';

const USAGE = `Usage: npm run bench -- [flags]
  --models LIST         weight sets to time in this run, name=dir,… (default
                        ${DEFAULT_MODELS}; the same weights under two names
                        are timed once). The first is the reference of the "×" columns
  --steps LIST          step counts (default 1,2,4,10,25,50), each at guidance 1 and at the
                        model's default guidance; each model's manifest default rides along
  --reps N              timed repetitions per setting after warm-up (default 20)
  --cold-starts N       fresh processes for the cold start, per model (default 5)
  --cpu-seconds S       time budget for the pure-JS cpu backend, first model (default 60; 0 skips it)
  --workerd-reps N      requests per path to the bundled Worker in workerd, one at a time, with the
                        in-isolate breakdown: /digit/5.png (the default request), ?steps=10, ?steps=1,
                        /number/2026.png, /healthz (default 30; 0 skips)
  --connections N       concurrent HTTP connections (default 4)
  --fresh-requests N    requests that run the model, in each of the no-seed and fresh-seed runs (default 200)
  --cached-requests N   cache-hit requests (default 2000)
  --http-seconds S      time cap of each HTTP run (default 30)
  --no-http             skip the bundle, workerd and HTTP measurements
  --out DIR             reports folder (default ${REPORTS_DIR})
  --record              merge each model's headline into its <dir>/manifest.json "metrics"

  --soak                instead of the above: fair share under load (reports/soak.json, soak.md):
                        GET /healthz behind the largest request of each kind, then a soak of mixed
                        requests and a burst, sent straight to workerd's own port
  --soak-requests N     requests in the soak (default 10000)
  --soak-connections N  concurrent connections in the soak (default 8)
  --soak-window N       requests between snapshots of errors, latency, tensors and RSS (default 1000)
  --burst N             steps=100 digits sent at once after the soak (default 64; 0 skips)

The bundle, workerd and HTTP parts serve what the Worker bundles: every weight set of
src/model/weight-sets.ts (weights/few-step/ draws the default request and steps 1-2,
weights/ the rest); the report names the weights that drew each workerd row and HTTP run.`;

const { values: flags } = parseArgs({
  options: {
    models: { type: 'string', default: DEFAULT_MODELS },
    steps: { type: 'string', default: '1,2,4,10,25,50' },
    reps: { type: 'string', default: '20' },
    'cold-starts': { type: 'string', default: '5' },
    'cpu-seconds': { type: 'string', default: '60' },
    'workerd-reps': { type: 'string', default: '30' },
    connections: { type: 'string', default: '4' },
    'fresh-requests': { type: 'string', default: '200' },
    'cached-requests': { type: 'string', default: '2000' },
    'http-seconds': { type: 'string', default: '30' },
    'no-http': { type: 'boolean', default: false },
    out: { type: 'string', default: REPORTS_DIR },
    record: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    'soak-requests': { type: 'string', default: '10000' },
    'soak-connections': { type: 'string', default: '8' },
    'soak-window': { type: 'string', default: '1000' },
    burst: { type: 'string', default: '64' },
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
  if (flags.soak) return soak();
  const stepsList = flags.steps!.split(',').map((s) => Number(s.trim()));
  if (!stepsList.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`--steps must list integers ≥ 1, got ${flags.steps}\n\n${USAGE}`);
  const specs = parseModelList(flags.models!);
  const reps = count('reps', 1);
  const started = performance.now();
  const loadAtStart = loadAverage();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

  const backend = await initBackend('wasm');
  const models = await loadModels(specs);
  log(`cold start: ${count('cold-starts', 1)} fresh processes per model…`);
  const coldStarts = models.map((m) => measureColdStart(count('cold-starts', 1), m.dir));
  for (const m of models) log(`${m.name}: weights ${m.manifest.version} · ${summarizeModel(m).mflopsPerNetworkCall.toFixed(2)} MFLOP per network call · ${backend.device}`);

  log('peak: large matmul and conv on the same backend…');
  const peak = await measurePeak();

  // Guidance 1 and each model's default guidance at each step count (samplingAt); its manifest default rides along when --steps leaves it out.
  const settings: TimedSetting[] = models.flatMap((m) => {
    const d = m.manifest.sampling;
    const at = (steps: number, guidance: number): TimedSetting => ({ model: m.name, weights: m, steps, guidance, sampler: d.defaultSampler });
    const guided = stepsList.map((steps) => at(steps, samplingAt(d, steps).defaultGuidance)).filter((g) => g.guidance !== 1);
    const own = [...stepsList.map((steps) => at(steps, 1)), ...guided];
    if (!own.some((g) => g.steps === d.defaultSteps && g.guidance === d.defaultGuidance)) own.push(at(d.defaultSteps, d.defaultGuidance));
    return own;
  });
  log(`per digit: ${settings.length} settings of ${models.length} model(s) round-robin, ${reps} timed rounds after 3 warm-up rounds…`);
  const generation = await timeDigits(settings, { warmup: 3, reps, maxSeconds: 300 * models.length });
  for (const g of generation) {
    log(`${g.model}: ${String(g.steps).padStart(2)} steps, guidance ${g.guidance}: ${g.medianMs.toFixed(2)} ms per digit (median of ${g.reps}; p10 ${g.p10Ms.toFixed(1)}, p90 ${g.p90Ms.toFixed(1)}) · ${g.networkCalls} net calls · ${g.gflops.toFixed(1)} GFLOP/s`);
  }
  const benchModels: BenchModel[] = [];
  for (const [i, m] of models.entries()) {
    const d = m.manifest.sampling;
    const served = generation.find((g) => g.model === m.name && g.steps === d.defaultSteps && g.guidance === d.defaultGuidance)!;
    const firstRun = await timeFirstRun({ model: m.name, weights: m, steps: served.steps, guidance: served.guidance, sampler: served.sampler }, { warmup: 3, reps: 5 * reps, maxSeconds: 60 });
    log(`${m.name}: first run of a request (conditioning not cached) ${firstRun.cold.medianMs.toFixed(2)} ms per digit, ${firstRun.warm.medianMs.toFixed(2)} warm in the same loop`);
    const cache = { firstRunMs: firstRun.cold.medianMs, cacheSavedMs: firstRun.cold.medianMs - firstRun.warm.medianMs };
    benchModels.push({ ...summarizeModel(m), coldStart: coldStarts[i], served: { steps: served.steps, guidance: served.guidance, medianMs: served.medianMs, ...cache, gflops: served.gflops, shareOfPeak: served.gflops / peak.gflops } });
  }
  const pngEncode = await timePngEncode(models[0], { warmup: 3, reps, maxSeconds: 10 });

  let cpuBackend: BenchReport['cpuBackend'] = null;
  const cpuSeconds = count('cpu-seconds', 0);
  if (cpuSeconds > 0) {
    const first = benchModels[0];
    log(`pure-JS cpu backend, ${first.name}, ${first.served.steps} steps guidance ${first.served.guidance} (up to ${cpuSeconds} s)…`);
    await tf.setBackend('cpu');
    const cpuModel = await loadShippedModel(first.dir);
    const [t] = await timeDigits([{ model: first.name, weights: cpuModel, steps: first.served.steps, guidance: first.served.guidance, sampler: first.sampling.defaultSampler }], { warmup: 1, reps, maxSeconds: cpuSeconds });
    tf.dispose(Object.values(cpuModel.params));
    await tf.setBackend('wasm');
    cpuBackend = { model: first.name, steps: t.steps, guidance: t.guidance, sampler: t.sampler, reps: t.reps, medianMs: t.medianMs, wasmMedianMs: first.served.medianMs, slowdown: t.medianMs / first.served.medianMs };
    log(`cpu backend: ${t.medianMs.toFixed(0)} ms per digit (median of ${t.reps}) = ${cpuBackend.slowdown.toFixed(1)}× the wasm time`);
  }

  let bundle: BenchReport['bundle'] = null;
  let workerd: BenchReport['workerd'] = null;
  let http: BenchReport['http'] = null;
  if (!flags['no-http']) {
    log('bundle: wrangler deploy --dry-run…');
    const built = buildBundle();
    const { dir, ...sizes } = built;
    bundle = sizes;
    log(`bundle ${(built.bytes / 1024).toFixed(1)} KiB raw, ${(built.gzipBytes / 1024).toFixed(1)} KiB gzip`);
    const workerdReps = count('workerd-reps', 0);
    const probeDir = workerdReps > 0 ? buildBundle(PROBE_ENTRY).dir : null;
    try {
      if (probeDir) {
        log(`workerd: ${workerdReps} requests per path through dispatchFetch, with the in-isolate breakdown…`);
        workerd = await benchWorkerd(dir, probeDir, workerdReps);
        for (const x of workerd.rows) {
          const drawn = x.weightsVersion === null ? 'no model' : `${x.weightSet} ${x.weightsVersion}, ${x.steps} steps, guidance ${x.guidance}, ${x.sampler}`;
          log(`workerd GET ${x.path} (${drawn}): ${x.requestMs.toFixed(2)} ms whole request = assets router ${x.assetsRouterMs.toFixed(2)} + dispatch ${x.dispatchMs.toFixed(2)} + other ${x.otherMs.toFixed(2)} + in the isolate ${x.isolateMs.toFixed(2)} (model ${x.modelMs?.toFixed(2) ?? '–'}, PNG ${x.pngMs?.toFixed(2) ?? '–'}, rest ${x.restMs.toFixed(2)})`);
        }
      }
      http = await benchHttp(dir, {
        connections: count('connections', 1),
        // autocannon refuses fewer requests than connections.
        freshRequests: count('fresh-requests', count('connections', 1)),
        cachedRequests: count('cached-requests', count('connections', 1)),
        maxSeconds: count('http-seconds', 1),
      }, log);
      for (const [name, run] of Object.entries(http.runs)) {
        log(`HTTP ${name}: ${run.requestsPerSecond.toFixed(1)} req/s · p50 ${run.p50Ms} ms · p99 ${run.p99Ms} ms · ${run.requests} requests · X-Cache ${JSON.stringify(run.cache)} · X-Weights-Version ${JSON.stringify(run.weights)}`);
      }
    } finally {
      for (const d of [dir, probeDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    }
  }

  const report: BenchReport = {
    kind: 'bench',
    date: new Date().toISOString(),
    machine: machineDescription(),
    loadAverage: { start: loadAtStart, end: loadAverage() },
    wallSeconds: (performance.now() - started) / 1000,
    backend: `tfjs wasm (${backend.device})`,
    models: benchModels,
    generation,
    pngEncode,
    peak,
    cpuBackend,
    bundle,
    workerd,
    http,
  };
  const files = writeReport(flags.out!, 'bench', report, benchMarkdown(report));
  log(`wrote ${files.json} and ${files.markdown}`);
  if (flags.record) {
    for (const spec of specs) log(`recorded metrics.speed in ${recordFor(spec.dir, 'speed', report.models, (m) => speedHeadline(report, m))}`);
  }
}

/** --soak: fair share under load, on the bundle as deployed. */
async function soak(): Promise<void> {
  const options = { requests: count('soak-requests', 1), connections: count('soak-connections', 1), window: count('soak-window', 1), burst: count('burst', 0), ceiling: true };
  const started = performance.now();
  const loadAtStart = loadAverage();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log('bundle: wrangler deploy --dry-run…');
  const { dir } = buildBundle();
  try {
    const bench = await benchSoak(dir, options, log);
    const report: SoakReport = { kind: 'soak', date: new Date().toISOString(), machine: machineDescription(), loadAverage: { start: loadAtStart, end: loadAverage() }, wallSeconds: (performance.now() - started) / 1000, ...bench };
    const files = writeReport(flags.out!, 'soak', report, soakMarkdown(report));
    log(`wrote ${files.json} and ${files.markdown}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`\nbench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
