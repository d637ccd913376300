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
 *    (workerd-probe.ts) in loops: its whole handling, and for digits the
 *    model (drawDigits) and the PNG encode as the route calls them;
 *    rest = in the isolate − model − PNG: routing, query, seed, headers;
 *  - other = request − assets router − dispatch − in the isolate: what the
 *    Worker costs outside its handler beyond a no-op (larger bodies, logs).
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { median } from '../eval/stats';
import { bundledWorkerOptions } from '../worker-options';

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

/** The requests issue 8 budgets (uncached: no seed), and the no-model baseline. */
export const WORKERD_PATHS = ['/digit/5.png?steps=10', '/digit/5.png?steps=1', '/healthz'];

export interface WorkerdRow {
  path: string;
  /** Network steps of the request; null for /healthz. */
  steps: number | null;
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
  /** drawDigits and the 28×28 PNG encode inside workerd (digit paths only), and the rest of the isolate's time. */
  modelMs: number | null;
  pngMs: number | null;
  restMs: number;
  /** Server-Timing entries the deployed Worker sent, median ms per name ({} while it sends none). */
  serverTiming: Record<string, number>;
}

export interface WorkerdBench {
  /** The weights version the bundled Worker served (/healthz), which is what these rows measured. */
  weightsVersion: string;
  /** The served guidance: the digit paths leave it unset. */
  defaultGuidance: number;
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

async function get(mf: Miniflare, url: string): Promise<{ ms: number; body: ArrayBuffer; serverTiming: string | null }> {
  const t0 = performance.now();
  const response = await mf.dispatchFetch(`http://localhost${url}`);
  const body = await response.arrayBuffer();
  const ms = performance.now() - t0;
  if (!response.ok) throw new Error(`workerd: GET ${url} answered ${response.status}`);
  return { ms, body, serverTiming: response.headers.get('Server-Timing') };
}

const json = async <T>(answer: Promise<{ body: ArrayBuffer }>): Promise<T> => JSON.parse(new TextDecoder().decode((await answer).body)) as T;

interface Sections {
  appMs: number;
  modelMs?: number;
  pngMs?: number;
}

export async function benchWorkerd(bundleDir: string, probeDir: string, reps: number, loopReps = 5, warmup = 3): Promise<WorkerdBench> {
  const deployed = new Miniflare(benchWorkerOptions(bundleDir));
  const noAssets = new Miniflare({ ...benchWorkerOptions(bundleDir), assets: undefined });
  const noop = new Miniflare({ modules: true, compatibilityDate: bundledWorkerOptions(bundleDir).compatibilityDate, script: 'export default { fetch: () => new Response("ok") }' });
  const probe = new Miniflare(benchWorkerOptions(probeDir, `${path.basename(PROBE_ENTRY, '.ts')}.js`));
  try {
    const health = await json<{ weightsVersion: string }>(get(deployed, '/healthz'));
    const served = await json<{ sampling: { defaultGuidance: number } }>(get(deployed, '/model'));
    const samples = WORKERD_PATHS.map(() => ({ request: [] as number[], assetsRouter: [] as number[], noop: [] as number[], app: [] as number[], model: [] as number[], png: [] as number[], timing: {} as Record<string, number[]> }));
    // Round-robin, the request and its in-isolate parts back to back: a burst
    // of other work on the machine then falls on every figure alike.
    for (let rep = 0; rep < warmup + reps; rep++) {
      for (const [k, url] of WORKERD_PATHS.entries()) {
        const { ms, serverTiming } = await get(deployed, url);
        const bare = await get(noAssets, url);
        const floor = await get(noop, '/');
        const parts = await json<Sections>(get(probe, `/__sections?path=${encodeURIComponent(url)}&reps=${loopReps}`));
        if (rep < warmup) continue;
        const s = samples[k];
        s.request.push(ms);
        s.assetsRouter.push(ms - bare.ms);
        s.noop.push(floor.ms);
        s.app.push(parts.appMs);
        if (parts.modelMs !== undefined) s.model.push(parts.modelMs);
        if (parts.pngMs !== undefined) s.png.push(parts.pngMs);
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
        steps: url.startsWith('/digit/') ? Number(new URL(url, 'http://x').searchParams.get('steps')) : null,
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
    return { weightsVersion: health.weightsVersion, defaultGuidance: served.sampling.defaultGuidance, reps, loopReps, rows };
  } finally {
    await Promise.all([deployed, noAssets, noop, probe].map((mf) => mf.dispose()));
  }
}
