/**
 * Whole requests inside workerd, uncached and unseeded, through Miniflare's
 * dispatchFetch, one at a time, and where their time goes:
 *  - request: the Worker as deployed (wrangler's bundle of src/index.ts
 *    with wrangler.toml's static assets), round trip with the body read,
 *    median; plus any Server-Timing entries the Worker sends;
 *  - assets router = request − the same bundle without static assets:
 *    with [assets], every request first passes workerd's asset router
 *    (has_user_worker), which looks the path up before calling the Worker;
 *  - dispatch: the round trip to a no-op Worker (Node → loopback socket →
 *    workerd's entry Worker → the Worker, and back), the floor of any request;
 *  - in the isolate: the same app inside workerd, timed by the probe bundle
 *    (workerd-probe.ts) in loops: its whole handling, and for digits and
 *    numbers the model (drawDigits, drawNumber) and the PNG encode as the
 *    route calls them;
 *    rest = in the isolate − model − PNG: routing, query, seed, headers;
 *  - other = request − assets router − dispatch − in the isolate: what the
 *    Worker costs outside its handler beyond a no-op (larger bodies, logs).
 * The Worker serves several weight sets (src/model/weight-sets.ts): each
 * digit and number row names the one that drew it, from the deployed Worker's
 * X-Weights-Version, with that set's steps (the default request's when the
 * path has none), guidance and sampler from GET /model; the probe must have
 * timed the same, or the bench stops.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import type { SamplerName } from '../../src/model/sampler';
import { samplingAt, type SamplingDefaults } from '../../src/model/sampling-defaults';
import { median } from '../eval/stats';
import { bundledWorkerOptions } from '../build/worker-options';
import type { Sections } from './workerd-probe';

/** The probe's entry, for buildBundle; wrangler names the bundled script after it. */
export const PROBE_ENTRY = 'scripts/bench/workerd-probe.ts';

/**
 * The bundle in `bundleDir` as the tests run it, with the Worker's own
 * console output (a log line per request) drained instead of printed: a
 * bench makes thousands of requests. `script` names the bundled entry.
 */
export function benchWorkerOptions(bundleDir: string, script = 'index.js'): MiniflareOptions {
  return {
    ...bundledWorkerOptions(bundleDir),
    scriptPath: path.join(bundleDir, script),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  };
}

/**
 * The default request (no steps: the product's main request), the requests
 * issue 8 budgets (uncached: no seed), one per served weight set today, a
 * number in one hand at the default request's settings (unseeded like the
 * rest: a seeded path would be a cache hit from its second request on), and
 * the no-model baseline.
 */
export const WORKERD_PATHS = ['/digit/5.png', '/digit/5.png?steps=10', '/digit/5.png?steps=1', '/number/2026.png', '/healthz'];

/** A path that runs the model: a digit or a number. */
export const drawsModel = (url: string) => /^\/(digit|number)\//.test(new URL(url, 'http://x').pathname);

/** A weight set as the Worker's GET /model lists it. */
export interface ServedWeightSet {
  /** Its manifest's name ("few-step", "general"). */
  name: string;
  /** The first and last step count it draws. */
  steps: [number, number];
  weightsVersion: string;
  sampling: Pick<SamplingDefaults, 'defaultSteps' | 'defaultGuidance' | 'defaultSampler' | 'longRuns' | 'hand'>;
}

export interface WorkerdRow {
  path: string;
  /** The weight set that drew the digit or number (the response's X-Weights-Version, named from GET /model); null for /healthz. */
  weightSet: string | null;
  weightsVersion: string | null;
  /** Network steps drawn: the path's, else (the default request) the drawing set's default; null for /healthz. */
  steps: number | null;
  /** Guidance and sampler drawn: the drawing set's defaults (no path sets them); null for /healthz. */
  guidance: number | null;
  sampler: SamplerName | null;
  /** dispatchFetch round trip to the deployed bundle, body read (median). */
  requestMs: number;
  /** request − the same without the static-assets router, median of the differences within each turn. */
  assetsRouterMs: number;
  /** Round trip to a no-op Worker, taken in this path's turns. */
  dispatchMs: number;
  /** The app's handling inside the isolate. */
  isolateMs: number;
  /** request − assets router − dispatch − in the isolate. */
  otherMs: number;
  /** drawDigits (drawNumber) and the 28 px high PNG encode inside workerd (digit and number paths only), and the rest of the isolate's time. */
  modelMs: number | null;
  pngMs: number | null;
  restMs: number;
  /** Server-Timing entries the deployed Worker sent, median ms per name ({} while it sends none). */
  serverTiming: Record<string, number>;
}

export interface WorkerdBench {
  /** The weights that draw the default request (GET /healthz). Each row names the weights that drew it. */
  weightsVersion: string;
  /** The bundled Worker's weight sets, fewest steps first, as GET /model lists them. */
  weightSets: ServedWeightSet[];
  reps: number;
  /** Iterations of each in-isolate loop (one loop per path and repetition; medians over repetitions). */
  loopReps: number;
  rows: WorkerdRow[];
}

/** "model;dur=12.3, png;desc=…;dur=0.7" → { model: 12.3, png: 0.7 }; entries without dur are left out. */
export function parseServerTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of (header ?? '').split(',')) {
    const [name, ...params] = entry.split(';').map((s) => s.trim());
    const dur = params.find((p) => p.startsWith('dur='));
    if (name && dur && Number.isFinite(Number(dur.slice(4)))) out[name] = Number(dur.slice(4));
  }
  return out;
}

async function get(mf: Miniflare, url: string): Promise<{ ms: number; body: ArrayBuffer; serverTiming: string | null; weightsVersion: string | null }> {
  const t0 = performance.now();
  const response = await mf.dispatchFetch(`http://localhost${url}`);
  const body = await response.arrayBuffer();
  const ms = performance.now() - t0;
  if (!response.ok) throw new Error(`workerd: GET ${url} answered ${response.status}`);
  return { ms, body, serverTiming: response.headers.get('Server-Timing'), weightsVersion: response.headers.get('X-Weights-Version') };
}

const json = async <T>(answer: Promise<{ body: ArrayBuffer }>): Promise<T> => JSON.parse(new TextDecoder().decode((await answer).body)) as T;

type Drawn = Pick<WorkerdRow, 'weightSet' | 'weightsVersion' | 'steps' | 'guidance' | 'sampler'>;

/** What a row's request drew: the set named by its X-Weights-Version, at the path's steps or that set's defaults. */
export function drawnBy(url: string, weightsVersion: string | null, sets: readonly ServedWeightSet[]): Drawn {
  if (!drawsModel(url)) return { weightSet: null, weightsVersion: null, steps: null, guidance: null, sampler: null };
  const set = sets.find((s) => s.weightsVersion === weightsVersion);
  if (!set) throw new Error(`workerd: GET ${url} answered X-Weights-Version ${weightsVersion}, not one of GET /model's weight sets (${sets.map((s) => s.weightsVersion).join(', ')})`);
  const query = new URL(url, 'http://x').searchParams.get('steps');
  const steps = query === null ? set.sampling.defaultSteps : Number(query);
  return { weightSet: set.name, weightsVersion: set.weightsVersion, steps, guidance: samplingAt(set.sampling, steps).defaultGuidance, sampler: set.sampling.defaultSampler };
}

/** Throws unless the probe timed in the isolate what the deployed Worker drew (a probe that picks weights or defaults otherwise would be timing something else). */
function checkProbe(url: string, drawn: Drawn, parts: Sections): void {
  const timed = parts.drawn ? { weightsVersion: parts.drawn.weightsVersion, steps: parts.drawn.steps, guidance: parts.drawn.guidance, sampler: parts.drawn.sampler } : null;
  const deployed = drawn.weightsVersion === null ? null : { weightsVersion: drawn.weightsVersion, steps: drawn.steps, guidance: drawn.guidance, sampler: drawn.sampler };
  if (JSON.stringify(timed) !== JSON.stringify(deployed)) throw new Error(`workerd: for GET ${url} the probe timed ${JSON.stringify(timed)}, the deployed Worker drew ${JSON.stringify(deployed)}`);
}

export async function benchWorkerd(bundleDir: string, probeDir: string, reps: number, loopReps = 5, warmup = 3): Promise<WorkerdBench> {
  const deployed = new Miniflare(benchWorkerOptions(bundleDir));
  const noAssets = new Miniflare({ ...benchWorkerOptions(bundleDir), assets: undefined });
  const noop = new Miniflare({ modules: true, compatibilityDate: bundledWorkerOptions(bundleDir).compatibilityDate, script: 'export default { fetch: () => new Response("ok") }' });
  const probe = new Miniflare(benchWorkerOptions(probeDir, `${path.basename(PROBE_ENTRY, '.ts')}.js`));
  try {
    const health = await json<{ weightsVersion: string }>(get(deployed, '/healthz'));
    const { weightSets } = await json<{ weightSets: ServedWeightSet[] }>(get(deployed, '/model'));
    const samples = WORKERD_PATHS.map(() => ({ request: [] as number[], assetsRouter: [] as number[], noop: [] as number[], app: [] as number[], model: [] as number[], png: [] as number[], timing: {} as Record<string, number[]> }));
    const drawn: Drawn[] = [];
    // Round-robin, the request and its in-isolate parts back to back: a burst
    // of other work on the machine then falls on every figure alike.
    for (let rep = 0; rep < warmup + reps; rep++) {
      for (const [k, url] of WORKERD_PATHS.entries()) {
        const { ms, serverTiming, weightsVersion } = await get(deployed, url);
        const bare = await get(noAssets, url);
        const floor = await get(noop, '/');
        const parts = await json<Sections>(get(probe, `/__sections?path=${encodeURIComponent(url)}&reps=${loopReps}`));
        // Every answer to a path, warm-up included, from the same weights, and the probe timing those.
        const now = drawnBy(url, weightsVersion, weightSets);
        if (bare.weightsVersion !== weightsVersion) throw new Error(`workerd: GET ${url} without static assets drew ${bare.weightsVersion}, with them ${weightsVersion}`);
        if (drawn[k] && JSON.stringify(drawn[k]) !== JSON.stringify(now)) throw new Error(`workerd: GET ${url} drew ${JSON.stringify(now)}, earlier ${JSON.stringify(drawn[k])}`);
        drawn[k] = now;
        checkProbe(url, now, parts);
        if (rep < warmup) continue;
        const s = samples[k];
        s.request.push(ms);
        s.assetsRouter.push(ms - bare.ms);
        s.noop.push(floor.ms);
        s.app.push(parts.appMs);
        if (parts.drawn) {
          s.model.push(parts.drawn.modelMs);
          s.png.push(parts.drawn.pngMs);
        }
        for (const [name, dur] of Object.entries(parseServerTiming(serverTiming))) (s.timing[name] ??= []).push(dur);
      }
    }
    const rows = WORKERD_PATHS.map((url, k): WorkerdRow => {
      const s = samples[k];
      const [requestMs, isolateMs, dispatchMs] = [median(s.request), median(s.app), median(s.noop)];
      // Paired within a turn: a slow spell on the machine hits both requests of the pair.
      const assetsRouterMs = median(s.assetsRouter);
      const modelMs = s.model.length ? median(s.model) : null;
      const pngMs = s.png.length ? median(s.png) : null;
      return {
        path: url,
        ...drawn[k],
        requestMs,
        assetsRouterMs,
        dispatchMs,
        isolateMs,
        otherMs: requestMs - assetsRouterMs - dispatchMs - isolateMs,
        modelMs,
        pngMs,
        restMs: isolateMs - (modelMs ?? 0) - (pngMs ?? 0),
        serverTiming: Object.fromEntries(Object.entries(s.timing).map(([name, v]) => [name, median(v)])),
      };
    });
    return { weightsVersion: health.weightsVersion, weightSets: weightSets.map(({ name, steps, weightsVersion, sampling: { defaultSteps, defaultGuidance, defaultSampler, longRuns, hand } }) => ({ name, steps, weightsVersion, sampling: { defaultSteps, defaultGuidance, defaultSampler, ...(longRuns ? { longRuns } : {}), ...(hand ? { hand } : {}) } })), reps, loopReps, rows };
  } finally {
    await Promise.all([deployed, noAssets, noop, probe].map((mf) => mf.dispose()));
  }
}
