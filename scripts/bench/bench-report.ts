/** The shape of reports/bench.json and its Markdown rendering (reports/bench.md). */
import { architectureLabel, type ModelSummary } from '../eval/models';
import { fixed, markdownTable } from '../eval/reports';
import type { BundleSize } from './bundle';
import type { ColdStart } from './cold-start';
import type { GenerationTiming } from './generation';
import type { HttpBench } from './http-load';
import type { Peak } from './peak';
import type { Timing } from './timing';
import type { WorkerdBench } from './workerd';

export interface BenchModel extends ModelSummary {
  /** Fresh-process start-up with this model's weights. */
  coldStart: ColdStart;
  /** Its served default request (no steps, no guidance in the query): ms per digit and GFLOP/s in this run. */
  served: { steps: number; guidance: number; medianMs: number; gflops: number; shareOfPeak: number };
}

export interface BenchReport {
  kind: 'bench';
  date: string;
  machine: string;
  /** 1-minute load average before and after: other work on the machine slows every figure. */
  loadAverage: { start: number; end: number };
  wallSeconds: number;
  backend: string;
  /** Every weight set timed in this run, in --models order; the first is the reference of the "×" columns. */
  models: BenchModel[];
  generation: GenerationTiming[];
  pngEncode: Timing;
  peak: Peak;
  /** The first model on tfjs's pure-JS backend. */
  cpuBackend: { model: string; steps: number; guidance: number; sampler: string; reps: number; medianMs: number; wasmMedianMs: number; slowdown: number } | null;
  bundle: Omit<BundleSize, 'dir'> | null;
  /** The bundled Worker (weights/ only) in workerd, request by request, and where the time goes. */
  workerd: WorkerdBench | null;
  http: HttpBench | null;
}

const HTTP_LABELS: Record<string, string> = {
  uncached: 'no seed: model, no cache',
  miss: 'fresh seeds: cache miss, model, cache.put',
  hit: 'repeated seed: cache hit',
};

const guidanceName = (g: number) => (g === 1 ? 'g=1 (one row)' : `g=${g}`);

function generationTable(r: BenchReport): string {
  const ref = r.models[0].name;
  const guidances = [...new Set(r.generation.map((g) => g.guidance))].sort((a, b) => a - b);
  const at = (model: string, s: number, g: number) => r.generation.find((x) => x.model === model && x.steps === s && x.guidance === g);
  const rows = r.models.flatMap((m) =>
    [...new Set(r.generation.filter((x) => x.model === m.name).map((x) => x.steps))].sort((a, b) => a - b).map((s) => [
      m.name,
      s,
      ...guidances.flatMap((g) => {
        const x = at(m.name, s, g);
        const base = at(ref, s, g);
        return [x ? `${fixed(x.medianMs, 2)}` : '–', x ? x.networkCalls : '–', fixed(x?.gflops, 1), x && base ? `${fixed(x.medianMs / base.medianMs, 2)}×` : '–'];
      }),
      Math.min(...guidances.map((g) => at(m.name, s, g)?.reps ?? Infinity)),
    ]),
  );
  const headers = ['model', 'steps', ...guidances.flatMap((g) => [`ms, ${guidanceName(g)}`, 'net calls', 'GFLOP/s', `× ${ref}`]), 'reps'];
  return markdownTable(headers, rows, headers.map((_, i) => i > 0));
}

function modelsTable(r: BenchReport): string {
  const rows = r.models.map((m) => [
    m.name,
    `\`${m.version}\``,
    architectureLabel(m.architecture),
    m.parameters,
    m.weightBytes,
    fixed(m.mflopsPerNetworkCall, 2),
    `${m.served.steps} steps, g=${m.served.guidance}`,
    `**${fixed(m.served.medianMs, 2)}**`,
    `${fixed(100 * m.served.shareOfPeak, 0)}%`,
    fixed(m.coldStart.totalMedianMs, 1),
  ]);
  return markdownTable(['model', 'weights version', 'channels', 'parameters', 'weight bytes', 'MFLOP/call', 'served default', 'ms per digit', 'of peak', 'cold start ms'], rows, [false, false, false, true, true, true, false, true, true, true]);
}

function workerdSection(r: BenchReport): string {
  const w = r.workerd;
  if (!w) return 'Skipped (--no-http or --workerd-reps 0).';
  const served = r.models.find((m) => m.version === w.weightsVersion);
  const node = (steps: number | null) => (served && steps !== null ? r.generation.find((g) => g.model === served.name && g.steps === steps && g.guidance === w.defaultGuidance)?.medianMs : undefined);
  const timingNames = [...new Set(w.rows.flatMap((x) => Object.keys(x.serverTiming)))];
  const rows = w.rows.map((x) => [
    `\`GET ${x.path}\``,
    `**${fixed(x.requestMs, 2)}**`,
    fixed(x.assetsRouterMs, 2),
    fixed(x.dispatchMs, 2),
    fixed(x.otherMs, 2),
    fixed(x.isolateMs, 2),
    fixed(x.modelMs, 2),
    fixed(x.pngMs, 2),
    fixed(x.restMs, 2),
    fixed(node(x.steps), 2),
    ...timingNames.map((n) => fixed(x.serverTiming[n], 2)),
  ]);
  const headers = ['request', 'whole request', 'assets router', 'dispatch', 'other', 'in the isolate', 'model (drawDigits)', 'PNG encode', 'rest', 'Node: model', ...timingNames.map((n) => `Server-Timing ${n}`)];
  return `The Worker bundled from \`weights/\` served weights \`${w.weightsVersion}\`${served ? ` (= ${served.name} above)` : ' (not among --models, so no Node column)'}. Requests through Miniflare's \`dispatchFetch\`, one at a time, no seed (so no cache), median of ${w.reps} after warm-up, in ms; the digit paths run the served guidance ${w.defaultGuidance}.

${markdownTable(headers, rows, headers.map((_, i) => i > 0))}

- **whole request**: \`dispatchFetch\` round trip to the bundle as deployed (with wrangler.toml's static assets), body read. It adds up as assets router + dispatch + other + in the isolate.
- **assets router**: whole request − the same bundle served without static assets: with \`[assets]\`, workerd's asset router looks every path up before it calls the Worker. On Cloudflare that lookup happens before the Worker runs and is not the Worker's CPU time.
- **dispatch**: the round trip to a no-op Worker in its own workerd (Node → loopback socket → Miniflare's entry Worker → the Worker, and back): the floor of any request here, not the Worker's CPU time either.
- **other**: what remains outside the handler beyond a no-op Worker (a larger body, the Worker's log lines, measurement noise).
- **in the isolate**: the same app timed inside workerd by the bench's probe bundle (\`scripts/bench/workerd-probe.ts\`: workerd's clock ticks in whole ms, so each part is a loop of ${w.loopReps}, median over the repetitions): the app's handling, and for digits **model** (\`drawDigits\`: sampler, network, grey bytes) and **PNG encode** (upscale + encode of the 28×28 digit) as the route calls them; **rest** = in the isolate − model − PNG (routing, query, seed, headers, Response).
- **Node: model**: \`drawDigits\` of the same weights at the same steps and guidance in Node, from the per-digit table above.${timingNames.length ? '\n- **Server-Timing**: the durations the deployed Worker reports itself.' : ''}
`;
}

export function benchMarkdown(r: BenchReport): string {
  const first = r.models[0];
  const httpRows = r.http
    ? Object.entries(r.http.runs).map(([name, v]) => [HTTP_LABELS[name] ?? name, v.connections, v.requests, fixed(v.requestsPerSecond, 1), v.p50Ms, v.p99Ms, v.maxMs, v.non2xx + v.errors, Object.entries(v.cache).map(([k, n]) => `${k} ${n}`).join(', ')])
    : [];
  const sampler = first.sampling.defaultSampler;
  return `# Speed (\`npm run bench\`)

${r.date} · ${r.machine} · ${r.backend} · ${Math.round(r.wallSeconds)} s wall · load average ${r.loadAverage.start} → ${r.loadAverage.end} (the machine has ${r.machine.split(' ')[0]} cores; anything above 1 is other work competing)

## Models

${modelsTable(r)}

MFLOP per network call: convs + dense layers (\`flopsPerImage\`). Channels "+w": guidance-distilled (w is a network input: one row per step at any guidance). Cold start: fresh Node process, backend init + weight check and dequantisation, median of ${first.coldStart.runs}.

## Per digit, one thread

One digit per call through \`drawDigits\`, as a request does; ${sampler}, fresh seed each repetition; every setting of every model timed round-robin in the same run; median after warm-up. **net calls**: network rows per digit (steps × 2 for a guided step of a classifier-free-guidance model, × 1 for a guidance-distilled one). **× ${first.name}**: this time ÷ ${first.name}'s at the same steps and guidance.

${generationTable(r)}

PNG encode of the 28×28 digit: ${fixed(r.pngEncode.medianMs, 3)} ms. This machine's peak for the backend, measured in the same run: ${fixed(r.peak.gflops, 1)} GFLOP/s (matmul ${r.peak.matmul.shape}: ${fixed(r.peak.matmul.gflops, 1)}; conv ${r.peak.conv.shape}: ${fixed(r.peak.conv.gflops, 1)}).

${r.cpuBackend ? `Pure-JS cpu backend, ${r.cpuBackend.model} (${r.cpuBackend.steps} steps, guidance ${r.cpuBackend.guidance}, ${r.cpuBackend.reps} reps): ${fixed(r.cpuBackend.medianMs, 0)} ms per digit = **${fixed(r.cpuBackend.slowdown, 1)}× slower** than WASM SIMD.` : 'Pure-JS cpu backend: skipped (--cpu-seconds 0).'}

## Start-up and size

Cold start (fresh Node process, median of ${first.coldStart.runs}), ${first.name}: backend init ${fixed(first.coldStart.backendInitMedianMs, 1)} ms + weight check and decoding ${fixed(first.coldStart.weightsMedianMs, 1)} ms = **${fixed(first.coldStart.totalMedianMs, 1)} ms** (WebAssembly compile, which Workers do at upload: ${fixed(first.coldStart.compileMedianMs, 1)} ms; first digit after start: ${fixed(first.coldStart.firstDigitMedianMs, 0)} ms).${r.http?.workerdStartupMs != null ? ` Inside workerd, the Worker's own startupMs: ${r.http.workerdStartupMs} ms.` : ''}

${r.bundle ? `Bundle (\`wrangler deploy --dry-run\`): **${fixed(r.bundle.bytes / 1024, 1)} KiB raw, ${fixed(r.bundle.gzipBytes / 1024, 1)} KiB gzip** (${r.bundle.files.map((f) => `${f.name.replace(/^[0-9a-f]{40}-/, '')} ${fixed(f.gzipBytes / 1024, 1)} KiB`).join(', ')}); wrangler: "${r.bundle.wranglerSays ?? '–'}".` : 'Bundle: skipped.'}

## Inside workerd, request by request

${workerdSection(r).trimEnd()}

## HTTP, local workerd (Miniflare on 127.0.0.1), autocannon

${r.http ? markdownTable(['load', 'connections', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'cache header'], httpRows, [false, true, true, true, true, true, true, true, false]) : 'Skipped (--no-http).'}

Requests that run the model use the bundled Worker's served defaults at size 28. One isolate runs one request's JavaScript at a time, so under ${r.http?.runs.uncached.connections ?? 'N'} connections latency includes queueing and requests/s ≈ 1 / time per request. Cache misses also store the PNG with cache.put (Miniflare's local simulation of the Cache API, not Cloudflare's).
`;
}
