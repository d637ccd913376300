/** The shape of reports/bench.json and its Markdown rendering (reports/bench.md). */
import { architectureLabel, type ModelSummary } from '../eval/models';
import { fixed, markdownTable } from '../eval/reports';
import type { BundleSize } from './bundle';
import type { ColdStart } from './cold-start';
import type { GenerationTiming } from './generation';
import type { HttpBench } from './http-load';
import type { Peak } from './peak';
import type { Timing } from './timing';
import type { ServedWeightSet, WorkerdBench, WorkerdRow } from './workerd';

export interface BenchModel extends ModelSummary {
  /** Fresh-process start-up with this model's weights. */
  coldStart: ColdStart;
  /**
   * Its own manifest's default setting (defaultSteps, defaultGuidance, defaultSampler): ms per digit and
   * GFLOP/s in this run. What the Worker draws with these weights when a request of the step counts they
   * serve leaves the rest out; the Worker's default request (no steps) is its first weight set's only.
   */
  served: { steps: number; guidance: number; medianMs: number; gflops: number; shareOfPeak: number; /** The same with the conditioning cache cold, and what the warm cache saves, timed alternately (absent in reports before the cache). */ firstRunMs?: number; cacheSavedMs?: number };
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
  /** The bundled Worker (every weight set it serves) in workerd, request by request, and where the time goes; each row names the weights that drew it. */
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

/** "steps 1–2 and the default request", "steps 3–100", "every request in a hand": what the Worker draws with a set. */
function servesLabel(sets: readonly ServedWeightSet[], set: ServedWeightSet): string {
  if (set.sampling.hand) return 'every request in a hand (slant or thickness, /number, /imitate), at any steps';
  return `steps ${set.steps[0]}–${set.steps[1]}${set === sets[0] ? ' and the default request' : ''}`;
}

function modelsTable(r: BenchReport): string {
  const sets = r.workerd?.weightSets;
  const rows = r.models.map((m) => {
    const set = sets?.find((s) => s.weightsVersion === m.version);
    return [
      m.name,
      `\`${m.version}\``,
      architectureLabel(m.architecture),
      m.parameters,
      m.weightBytes,
      fixed(m.mflopsPerNetworkCall, 2),
      `${m.served.steps} steps, g=${m.served.guidance}, ${m.sampling.defaultSampler}`,
      `**${fixed(m.served.medianMs, 2)}**`,
      m.served.firstRunMs === undefined || m.served.cacheSavedMs === undefined ? '–' : `${fixed(m.served.firstRunMs, 2)} (${fixed(m.served.cacheSavedMs, 2)})`,
      `${fixed(100 * m.served.shareOfPeak, 0)}%`,
      fixed(m.coldStart.totalMedianMs, 1),
      ...(sets ? [set ? `${set.name}: ${servesLabel(sets, set)}` : '–'] : []),
    ];
  });
  const headers = ['model', 'weights version', 'channels', 'parameters', 'weight bytes', 'MFLOP/call', 'manifest default', 'ms per digit', 'first run ms (cache saves)', 'of peak', 'cold start ms', ...(sets ? ['in the Worker'] : [])];
  return markdownTable(headers, rows, [false, false, false, true, true, true, false, true, true, true, true, false]);
}

/** The --models name of the set the Worker names by its version, else the Worker's own name for it. */
function setName(r: { models: readonly Pick<BenchModel, 'name' | 'version'>[] }, set: Pick<ServedWeightSet, 'name' | 'weightsVersion'>): string {
  return r.models.find((m) => m.version === set.weightsVersion)?.name ?? `${set.name} (not among --models)`;
}

/** What the models table says about the Worker's default request. */
function defaultRequestNote(r: BenchReport): string {
  const sets = r.workerd?.weightSets;
  if (!sets?.length) return "The Worker's default request (no steps in the query) is drawn by its first weight set (src/model/weight-sets.ts) at that set's defaults; this run did not start the Worker (--no-http or --workerd-reps 0) to say which.";
  const d = sets[0].sampling;
  return `The Worker's default request (no steps in the query) is ${setName(r, sets[0])}'s: ${d.defaultSteps} steps, g=${d.defaultGuidance}, ${d.defaultSampler}. **in the Worker**: the step counts each set draws there (GET /model).`;
}

/** What workerdSection reads of a report. */
export interface WorkerdSectionInput {
  models: readonly Pick<BenchModel, 'name' | 'version'>[];
  generation: readonly Pick<GenerationTiming, 'model' | 'steps' | 'guidance' | 'sampler' | 'medianMs'>[];
  workerd: WorkerdBench | null;
}

/** drawDigits in Node of the --models entry whose weights drew the row, at the row's steps, guidance and sampler; undefined where not timed, and for a number (Node times one digit). */
export function nodeModelMs(r: Omit<WorkerdSectionInput, 'workerd'>, x: WorkerdRow): number | undefined {
  if (!x.path.startsWith('/digit/')) return undefined;
  const drawer = r.models.find((m) => m.version === x.weightsVersion);
  return drawer ? r.generation.find((g) => g.model === drawer.name && g.steps === x.steps && g.guidance === x.guidance && g.sampler === x.sampler)?.medianMs : undefined;
}

export function workerdSection(r: WorkerdSectionInput): string {
  const w = r.workerd;
  if (!w) return 'Skipped (--no-http or --workerd-reps 0).';
  const timingNames = [...new Set(w.rows.flatMap((x) => Object.keys(x.serverTiming)))];
  const sets = w.weightSets.map((set) => {
    const d = set.sampling;
    return `**${setName(r, set)}** (\`${set.weightsVersion}\`): ${servesLabel(w.weightSets, set)}, defaults ${d.defaultSteps} steps, g=${d.defaultGuidance}, ${d.defaultSampler}`;
  });
  const rows = w.rows.map((x) => [
    `\`GET ${x.path}\``,
    x.weightsVersion === null ? '– (no model)' : `${setName(r, { name: x.weightSet ?? '?', weightsVersion: x.weightsVersion })}: ${x.steps} step${x.steps === 1 ? '' : 's'}, g=${x.guidance}, ${x.sampler}`,
    `**${fixed(x.requestMs, 2)}**`,
    fixed(x.assetsRouterMs, 2),
    fixed(x.dispatchMs, 2),
    fixed(x.otherMs, 2),
    fixed(x.isolateMs, 2),
    fixed(x.modelMs, 2),
    fixed(x.pngMs, 2),
    fixed(x.restMs, 2),
    fixed(nodeModelMs(r, x), 2),
    ...timingNames.map((n) => fixed(x.serverTiming[n], 2)),
  ]);
  const headers = ['request', 'drawn by', 'whole request', 'assets router', 'dispatch', 'other', 'in the isolate', 'model (drawDigits)', 'PNG encode', 'rest', 'Node: model', ...timingNames.map((n) => `Server-Timing ${n}`)];
  return `The bundled Worker serves ${w.weightSets.length} weight sets: ${sets.join('; ')}. Each digit and number row names the set that drew it. Requests through Miniflare's \`dispatchFetch\`, one at a time, no seed (so no cache), median of ${w.reps} after warm-up, in ms.

${markdownTable(headers, rows, headers.map((_, i) => i > 1))}

- **drawn by**: the weight set named by the Worker's \`X-Weights-Version\` answer to the path, at the path's steps (without steps: its set's default steps; a number, a slant or a thickness is in a hand, so the hand set draws it) and that set's default guidance and sampler; the probe timed the same set and setting in the isolate.
- **whole request**: \`dispatchFetch\` round trip to the bundle as deployed (with wrangler.toml's static assets), body read. It adds up as assets router + dispatch + other + in the isolate.
- **assets router**: whole request − the same bundle served without static assets: with \`[assets]\`, workerd's asset router looks every path up before it calls the Worker. On Cloudflare that lookup happens before the Worker runs and is not the Worker's CPU time.
- **dispatch**: the round trip to a no-op Worker in its own workerd (Node → loopback socket → Miniflare's entry Worker → the Worker, and back): the floor of any request here, not the Worker's CPU time either.
- **other**: what remains outside the handler beyond a no-op Worker (a larger body, the Worker's log lines, measurement noise).
- **in the isolate**: the same app timed inside workerd by the bench's probe bundle (\`scripts/bench/workerd-probe.ts\`: workerd's clock ticks in whole ms, so each part is a loop of ${w.loopReps}, median over the repetitions): the app's handling, and for digits and numbers **model** (\`drawDigits\`, or \`drawNumber\` for the number: sampler, network, grey bytes) and **PNG encode** (upscale + encode of the 28 px high picture) as the route calls them; **rest** = in the isolate − model − PNG (routing, query, seed, headers, Response).
- **Node: model**: \`drawDigits\` in Node of the --models entry with the weights version that drew the row, at its steps, guidance and sampler, from the per-digit table above (– where that entry or setting was not timed, and for the number).${timingNames.length ? '\n- **Server-Timing**: the durations the deployed Worker reports itself.' : ''}
`;
}

/** "few-step 200" per X-Weights-Version the run's answers carried, by --models name where one has that version. */
function weightsCounts(r: BenchReport, counts: Record<string, number>): string {
  return Object.entries(counts).map(([version, n]) => `${r.models.find((m) => m.version === version)?.name ?? version} ${n}`).join(', ');
}

export function benchMarkdown(r: BenchReport): string {
  const first = r.models[0];
  const httpRows = r.http
    ? Object.entries(r.http.runs).map(([name, v]) => [HTTP_LABELS[name] ?? name, v.connections, v.requests, fixed(v.requestsPerSecond, 1), v.p50Ms, v.p99Ms, v.maxMs, v.non2xx + v.errors, Object.entries(v.cache).map(([k, n]) => `${k} ${n}`).join(', '), weightsCounts(r, v.weights)])
    : [];
  const samplers = r.models.map((m) => `${m.name} ${m.sampling.defaultSampler}`).join(', ');
  // A weights binary is named after its file: say whose it is where its size is one model's only.
  const fileLabel = (f: { name: string; bytes: number }) => {
    const name = f.name.replace(/^[0-9a-f]{40}-/, '');
    const owners = r.models.filter((m) => m.weightBytes === f.bytes);
    return name.endsWith('.bin') && owners.length === 1 ? `${name} (${owners[0].name})` : name;
  };
  return `# Speed (\`npm run bench\`)

${r.date} · ${r.machine} · ${r.backend} · ${Math.round(r.wallSeconds)} s wall · load average ${r.loadAverage.start} → ${r.loadAverage.end} (the machine has ${r.machine.split(' ')[0]} cores; anything above 1 is other work competing)

## Models

${modelsTable(r)}

MFLOP per network call: convs + dense layers (\`flopsPerImage\`). Channels "+w": guidance-distilled (w is a network input: one row per step at any guidance). Cold start: fresh Node process, backend init + weight check and dequantisation, median of ${first.coldStart.runs}. **manifest default**: each weights folder's own defaults (steps, guidance, sampler), the setting of **ms per digit** and **of peak**. **ms per digit** is with the weight set's conditioning cache warm (\`src/model/conditioning-cache.ts\`: the run's conditioning was made before, as for every digit an isolate has drawn at that setting); **first run ms**: the same setting with the cache cold, as the first request of its kind in an isolate, and in brackets what the warm cache saves: both timed alternately, draw by draw, in one loop (up to 5 × --reps draws each) (a cold figure timed in a block of its own differs from the round-robin warm one by the machine's drift as much as by the cache). ${defaultRequestNote(r)}

## Per digit, one thread

One digit per call through \`drawDigits\`, as a request does; each model's default sampler (${samplers}), fresh seed each repetition; every setting of every model timed round-robin in the same run; median after warm-up. **net calls**: network rows per digit (steps × 2 for a guided step of a classifier-free-guidance model, × 1 for a guidance-distilled one). **× ${first.name}**: this time ÷ ${first.name}'s at the same steps and guidance.

${generationTable(r)}

PNG encode of the 28×28 digit: ${fixed(r.pngEncode.medianMs, 3)} ms. This machine's peak for the backend, measured in the same run: ${fixed(r.peak.gflops, 1)} GFLOP/s (matmul ${r.peak.matmul.shape}: ${fixed(r.peak.matmul.gflops, 1)}; conv ${r.peak.conv.shape}: ${fixed(r.peak.conv.gflops, 1)}).

${r.cpuBackend ? `Pure-JS cpu backend, ${r.cpuBackend.model} (${r.cpuBackend.steps} steps, guidance ${r.cpuBackend.guidance}, ${r.cpuBackend.reps} reps): ${fixed(r.cpuBackend.medianMs, 0)} ms per digit = **${fixed(r.cpuBackend.slowdown, 1)}× slower** than WASM SIMD.` : 'Pure-JS cpu backend: skipped (--cpu-seconds 0).'}

## Start-up and size

Cold start (fresh Node process, median of ${first.coldStart.runs}), ${first.name}: backend init ${fixed(first.coldStart.backendInitMedianMs, 1)} ms + weight check and decoding ${fixed(first.coldStart.weightsMedianMs, 1)} ms = **${fixed(first.coldStart.totalMedianMs, 1)} ms** (WebAssembly compile, which Workers do at upload: ${fixed(first.coldStart.compileMedianMs, 1)} ms; first digit after start: ${fixed(first.coldStart.firstDigitMedianMs, 0)} ms).${r.http?.workerdStartupMs != null ? ` Inside workerd, the Worker's own startupMs (backend init + the check and decoding of the default request's weight set; the other sets are decoded when a request first needs them): ${r.http.workerdStartupMs} ms.` : ''}

${r.bundle ? `Bundle (\`wrangler deploy --dry-run\`): **${fixed(r.bundle.bytes / 1024, 1)} KiB raw, ${fixed(r.bundle.gzipBytes / 1024, 1)} KiB gzip** (${r.bundle.files.map((f) => `${fileLabel(f)} ${fixed(f.gzipBytes / 1024, 1)} KiB`).join(', ')}); wrangler: "${r.bundle.wranglerSays ?? '–'}".` : 'Bundle: skipped.'}

## Inside workerd, request by request

${workerdSection(r).trimEnd()}

## HTTP, local workerd (Miniflare on 127.0.0.1), autocannon

${r.http ? markdownTable(['load', 'connections', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'cache header', 'drawn by (X-Weights-Version)'], httpRows, [false, true, true, true, true, true, true, true, false, false]) : 'Skipped (--no-http).'}

Every request is a default request (\`/digit/N.png\` without steps, guidance or sampler, seeded or not), so those that run the model draw with the Worker's default-request weight set at its defaults, size 28; the last column counts the \`X-Weights-Version\` of the answers. One isolate runs one request's JavaScript at a time, so under ${r.http?.runs.uncached.connections ?? 'N'} connections latency includes queueing and requests/s ≈ 1 / time per request. Cache misses also store the PNG with cache.put (Miniflare's local simulation of the Cache API, not Cloudflare's).
`;
}
