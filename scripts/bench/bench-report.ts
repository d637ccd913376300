/** The shape of reports/bench.json and its Markdown rendering (reports/bench.md). */
import { fixed, markdownTable } from '../eval/reports';
import type { BundleSize } from './bundle';
import type { ColdStart } from './cold-start';
import type { GenerationTiming } from './generation';
import type { HttpBench } from './http-load';
import type { Peak } from './peak';
import type { Timing } from './timing';

export interface BenchReport {
  kind: 'bench';
  date: string;
  machine: string;
  /** 1-minute load average before and after: other work on the machine slows every figure. */
  loadAverage: { start: number; end: number };
  wallSeconds: number;
  backend: string;
  weights: { dir: string; version: string; sampling: { defaultSteps: number; defaultGuidance: number; defaultSampler: string } };
  mflopsPerNetworkCall: number;
  generation: GenerationTiming[];
  pngEncode: Timing;
  peak: Peak;
  cpuBackend: { steps: number; guidance: number; sampler: string; reps: number; medianMs: number; wasmMedianMs: number; slowdown: number } | null;
  coldStart: ColdStart;
  bundle: Omit<BundleSize, 'dir'> | null;
  http: HttpBench | null;
  summary: { servedMs: number; servedGflops: number; servedShareOfPeak: number };
}

const HTTP_LABELS: Record<string, string> = {
  uncached: 'no seed: model, no cache',
  miss: 'fresh seeds: cache miss, model, cache.put',
  hit: 'repeated seed: cache hit',
};

export function benchMarkdown(r: BenchReport): string {
  const d = r.weights.sampling;
  const steps = [...new Set(r.generation.map((g) => g.steps))];
  const guidances = [...new Set(r.generation.map((g) => g.guidance))];
  const at = (s: number, g: number) => r.generation.find((x) => x.steps === s && x.guidance === g);
  const genRows = steps.map((s) => [
    s,
    ...guidances.flatMap((g) => {
      const x = at(s, g);
      return [fixed(x?.medianMs, 2), fixed(x?.gflops, 1)];
    }),
    ...guidances.map((g) => `${at(s, g)?.reps ?? '–'}`),
  ]);
  const guidanceName = (g: number) => (g === 1 ? 'no guidance (g=1)' : `guidance ${g}`);
  const httpRows = r.http
    ? Object.entries(r.http.runs).map(([name, v]) => [HTTP_LABELS[name] ?? name, v.connections, v.requests, fixed(v.requestsPerSecond, 1), v.p50Ms, v.p99Ms, v.maxMs, v.non2xx + v.errors, Object.entries(v.cache).map(([k, n]) => `${k} ${n}`).join(', ')])
    : [];
  return `# Speed (\`npm run bench\`)

${r.date} · ${r.machine} · ${r.backend} · ${Math.round(r.wallSeconds)} s wall · load average ${r.loadAverage.start} → ${r.loadAverage.end} (the machine has ${r.machine.split(' ')[0]} cores; anything above 1 is other work competing)

Weights \`${r.weights.version}\`; ${fixed(r.mflopsPerNetworkCall, 2)} MFLOP per network call (convs + dense layers, \`flopsPerImage\`). One digit per call through \`drawDigits\`, as a request does; ${d.defaultSampler}, fresh seed each repetition; median after warm-up.

## Per digit, one thread

${markdownTable(['steps', ...guidances.flatMap((g) => [`ms, ${guidanceName(g)}`, 'GFLOP/s']), ...guidances.map((g) => `reps (g=${g})`)], genRows)}

PNG encode of the 28×28 digit: ${fixed(r.pngEncode.medianMs, 3)} ms.

Served default (${d.defaultSteps} steps, guidance ${d.defaultGuidance}): **${fixed(r.summary.servedMs, 1)} ms per digit**, ${fixed(r.summary.servedGflops, 1)} GFLOP/s = **${fixed(100 * r.summary.servedShareOfPeak, 0)}% of this machine's peak** for the backend, measured in the same run: ${fixed(r.peak.gflops, 1)} GFLOP/s (matmul ${r.peak.matmul.shape}: ${fixed(r.peak.matmul.gflops, 1)}; conv ${r.peak.conv.shape}: ${fixed(r.peak.conv.gflops, 1)}).

${r.cpuBackend ? `Pure-JS cpu backend, same generation (${r.cpuBackend.steps} steps, guidance ${r.cpuBackend.guidance}, ${r.cpuBackend.reps} reps): ${fixed(r.cpuBackend.medianMs, 0)} ms per digit = **${fixed(r.cpuBackend.slowdown, 1)}× slower** than WASM SIMD.` : 'Pure-JS cpu backend: skipped (--no-cpu).'}

## Start-up and size

Cold start (fresh Node process, median of ${r.coldStart.runs}): backend init ${fixed(r.coldStart.backendInitMedianMs, 1)} ms + weight check and decoding ${fixed(r.coldStart.weightsMedianMs, 1)} ms = **${fixed(r.coldStart.totalMedianMs, 1)} ms** (WebAssembly compile, which Workers do at upload: ${fixed(r.coldStart.compileMedianMs, 1)} ms; first digit after start: ${fixed(r.coldStart.firstDigitMedianMs, 0)} ms).${r.http?.workerdStartupMs != null ? ` Inside workerd, the Worker's own startupMs: ${r.http.workerdStartupMs} ms.` : ''}

${r.bundle ? `Bundle (\`wrangler deploy --dry-run\`): **${fixed(r.bundle.bytes / 1024, 1)} KiB raw, ${fixed(r.bundle.gzipBytes / 1024, 1)} KiB gzip** (${r.bundle.files.map((f) => `${f.name.replace(/^[0-9a-f]{40}-/, '')} ${fixed(f.gzipBytes / 1024, 1)} KiB`).join(', ')}); wrangler: "${r.bundle.wranglerSays ?? '–'}".` : 'Bundle: skipped.'}

## HTTP, local workerd (Miniflare on 127.0.0.1), autocannon

${r.http ? markdownTable(['load', 'connections', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'cache header'], httpRows, [false, true, true, true, true, true, true, true, false]) : 'Skipped (--no-http).'}

Requests that run the model use the served defaults (${d.defaultSteps} steps, guidance ${d.defaultGuidance}) at size 28. One isolate runs one request's JavaScript at a time, so under ${r.http?.runs.uncached.connections ?? 'N'} connections latency includes queueing and requests/s ≈ 1 / time per request. Cache misses also store the PNG with cache.put (Miniflare's local simulation of the Cache API, not Cloudflare's).
`;
}
