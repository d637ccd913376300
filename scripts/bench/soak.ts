/**
 * `npm run bench -- --soak`: the bundled Worker served by workerd on its own
 * port (not through `wrangler dev`, whose proxy drops requests under
 * concurrency: DESIGN.md), under a long mixed load and then a burst.
 *  - soak: N requests of every kind a client sends (digits drawn, missed and
 *    hit in the cache, revalidated, animations, sheets, uploads, refusals,
 *    the model's description and the client's files), `connections` at a
 *    time, in windows; after each window, with nothing in flight: errors so
 *    far, p50/p99 latency of the window, live tensors (GET /healthz) and the
 *    workerd process's resident memory;
 *  - burst: `burst` requests for steps=100 digits sent at once;
 *  - ceiling: GET /healthz behind the largest request of each kind (ceiling.ts).
 * An error is a failed connection, a 5xx or any status other than the one
 * the request was built to get. Every request has a connection of its own
 * (request-once.ts): kept-alive connections meet workerd closing them late
 * whenever its thread is starved for seconds, which is this machine's
 * scheduler at work, not the Worker's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { encodePng } from '../../src/image/png';
import { Rng } from '../../src/model/rng';
import { percentile } from '../eval/stats';
import { measureCeiling, type Ceiling } from './ceiling';
import { requestOnce } from './request-once';
import { ASSETS_DIR } from '../build/worker-options';
import { benchWorkerOptions } from './workerd';
import { cpuMs, rssMiB, workerdPid } from './workerd-process';

export interface SoakOptions {
  requests: number;
  connections: number;
  /** Requests per window: a snapshot after each. */
  window: number;
  /** Requests sent at once in the burst (0: none). */
  burst: number;
  /** Measure the ceiling (the largest requests, and /healthz behind them). */
  ceiling: boolean;
}

export interface SoakWindow {
  /** Requests answered by the end of this window. */
  requests: number;
  /** Errors so far, all windows. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The workerd process's CPU during the window, ms (10 ms ticks); null where /proc cannot say. On a shared machine, what the window cost when its latencies say how long it waited. */
  cpuMs: number | null;
  /** Live tensors in the isolate after the window (GET /healthz). */
  tensors: number;
  /** The workerd process's resident memory after the window, MiB; null where /proc cannot say. */
  rssMiB: number | null;
}

export interface KindSummary {
  kind: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

export interface Burst {
  path: string;
  requests: number;
  errors: number;
  /** From the first sending to the last answer. */
  wallMs: number;
  /** The workerd process's CPU from the first sending to the last answer, ms; null where /proc cannot say. */
  cpuMs: number | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** GET /healthz sent with the burst: how long it queued behind it. */
  healthzMs: number;
  tensorsAfter: number;
  rssMiBAfter: number | null;
}

export interface SoakBench {
  url: string;
  connections: number;
  requests: number;
  errors: number;
  /** The first few errors, as "METHOD path → status or failure". */
  errorSamples: string[];
  windows: SoakWindow[];
  kinds: KindSummary[];
  burst: Burst | null;
  ceiling: Ceiling | null;
}

interface Planned {
  kind: string;
  path: string;
  init?: { method?: string; headers?: Record<string, string>; body?: Uint8Array };
  /** The status the request is built to get. */
  expect: number;
}

interface Answer {
  planned: Planned;
  status: number | string;
  ms: number;
}

/** A 28×28 drawing to upload: a bar across black paper. */
const UPLOAD = encodePng({ width: 28, height: 28, pixels: Uint8Array.from({ length: 784 }, (_, i) => (Math.floor(i / 28) % 9 < 3 ? 255 : 0)) });
const post = (path: string): Pick<Planned, 'path' | 'init'> => ({ path, init: { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: UPLOAD } });
/** Seeded URLs asked for again and again: cache hits after their first answer. */
const CACHED = Array.from({ length: 20 }, (_, i) => `/digit/${i % 10}.png?seed=${700 + i}`);
const REFUSED: Planned[] = [
  { kind: 'refused', path: '/digit/5.png?steps=0', expect: 400 },
  { kind: 'refused', path: '/digit/5.png?guidance=0x2', expect: 400 },
  { kind: 'refused', path: '/sheet.png?digits=0123456789&seeds=16&steps=100', expect: 400 },
  { kind: 'refused', path: '/no/such/path', expect: 404 },
  { kind: 'refused', path: '/model', init: { method: 'DELETE' }, expect: 405 },
];

/** The mix, by share of requests: what one request of each kind looks like. */
function mix(rng: Rng, etags: Map<string, string>, fresh: () => number): [share: number, make: () => Planned][] {
  const digit = () => rng.int(10);
  return [
    [25, () => ({ kind: 'digit, default', path: `/digit/${digit()}.png`, expect: 200 })],
    [10, () => ({ kind: 'digit, 10 steps', path: `/digit/${digit()}.png?steps=10`, expect: 200 })],
    [15, () => ({ kind: 'digit, new seed (cache miss)', path: `/digit/${digit()}.png?seed=${fresh()}`, expect: 200 })],
    [15, () => ({ kind: 'digit, seen seed (cache hit)', path: CACHED[rng.int(CACHED.length)], expect: 200 })],
    [5, () => {
      const path = CACHED[rng.int(CACHED.length)];
      return { kind: 'revalidation (304)', path, init: { headers: { 'If-None-Match': etags.get(path)! } }, expect: 304 };
    }],
    [5, () => ({ kind: 'animation, 4 steps', path: `/digit/${digit()}.apng?steps=4`, expect: 200 })],
    [5, () => ({ kind: 'sheet, 2×2', path: `/sheet.png?digits=${digit()}${digit()}&seeds=2&steps=2`, expect: 200 })],
    [5, () => ({ kind: 'inpaint, 28 px', ...post(`/inpaint?digit=${digit()}&mask=0,14,28,14`), expect: 200 })],
    [5, () => ({ kind: 'restyle, 28 px', ...post(`/restyle?to=${digit()}&strength=0.6`), expect: 200 })],
    [5, () => REFUSED[rng.int(REFUSED.length)]],
    [5, () => ({ kind: 'model, health, client', path: ['/model', '/healthz', '/client.js'][rng.int(3)], expect: 200 })],
  ];
}

async function send(url: string, planned: Planned): Promise<Answer> {
  const started = performance.now();
  try {
    const { status, ms } = await requestOnce(`${url}${planned.path}`, planned.init);
    return { planned, status, ms };
  } catch (err) {
    return { planned, status: err instanceof Error ? err.message : String(err), ms: performance.now() - started };
  }
}

/** Sends every request of `plan`, `connections` at a time. */
async function sendAll(url: string, plan: Planned[], connections: number): Promise<Answer[]> {
  const answers: Answer[] = new Array(plan.length);
  let next = 0;
  const connection = async () => {
    for (let i = next++; i < plan.length; i = next++) answers[i] = await send(url, plan[i]);
  };
  await Promise.all(Array.from({ length: Math.min(connections, plan.length) }, connection));
  return answers;
}

const isError = (a: Answer) => a.status !== a.planned.expect;
const asText = (a: Answer) => `${a.planned.init?.method ?? 'GET'} ${a.planned.path} → ${a.status} (wanted ${a.planned.expect})`;

async function tensors(url: string): Promise<number> {
  return (JSON.parse((await requestOnce(`${url}/healthz`)).body.toString()) as { tensors: number }).tensors;
}

function latency(answers: Answer[]) {
  const ms = answers.map((a) => a.ms);
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: Math.max(...ms) };
}

export async function benchSoak(bundleDir: string, opts: SoakOptions, log: (line: string) => void): Promise<SoakBench> {
  // The client's files from a copy: a build meanwhile (npm test, build:client) empties dist/client/.
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-soak-assets-'));
  fs.cpSync(ASSETS_DIR, assets, { recursive: true });
  const options = benchWorkerOptions(bundleDir);
  const mf = new Miniflare({ ...options, assets: { ...options.assets!, directory: assets }, host: '127.0.0.1', port: 0 });
  try {
    const url = (await mf.ready).toString().replace(/\/$/, '');
    const pid = workerdPid();
    const rss = () => (pid === null ? null : +rssMiB(pid).toFixed(1));
    const cpu = () => (pid === null ? null : cpuMs(pid));
    const since = (start: number | null) => (start === null ? null : cpu()! - start);
    // The cached URLs' ETags, for revalidations; this also loads the weights and warms the kernels.
    const etags = new Map<string, string>();
    for (const path of CACHED) {
      etags.set(path, String((await requestOnce(`${url}${path}`)).headers.etag));
    }
    const ceiling = opts.ceiling ? await measureCeiling(url, pid, log) : null;

    const rng = new Rng(20261205);
    let seed = 1_000_000;
    const kinds = mix(rng, etags, () => seed++);
    const total = kinds.reduce((n, [share]) => n + share, 0);
    const pick = (): Planned => {
      let r = rng.int(total);
      for (const [share, make] of kinds) if ((r -= share) < 0) return make();
      throw new Error('unreachable');
    };

    const all: Answer[] = [];
    const windows: SoakWindow[] = [];
    log(`soak: ${opts.requests} mixed requests, ${opts.connections} at a time, straight to workerd at ${url}…`);
    while (all.length < opts.requests) {
      const plan = Array.from({ length: Math.min(opts.window, opts.requests - all.length) }, pick);
      const cpuStart = cpu();
      const answers = await sendAll(url, plan, opts.connections);
      const cpuMs = since(cpuStart);
      all.push(...answers);
      const w: SoakWindow = { requests: all.length, errors: all.filter(isError).length, ...latency(answers), cpuMs, tensors: await tensors(url), rssMiB: rss() };
      windows.push(w);
      log(`  ${w.requests} requests: ${w.errors} errors · p50 ${w.p50Ms.toFixed(1)} ms · p99 ${w.p99Ms.toFixed(1)} ms · workerd CPU ${w.cpuMs ?? '–'} ms · ${w.tensors} tensors · RSS ${w.rssMiB ?? '–'} MiB`);
      for (const e of answers.filter(isError).slice(0, 3)) log(`    error: ${asText(e)}`);
    }

    const byKind = new Map<string, Answer[]>();
    for (const a of all) byKind.set(a.planned.kind, [...(byKind.get(a.planned.kind) ?? []), a]);
    const summaries: KindSummary[] = [...byKind].map(([kind, answers]) => ({
      kind,
      requests: answers.length,
      errors: answers.filter(isError).length,
      ...latency(answers),
      statuses: answers.reduce<Record<string, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {}),
    }));

    let burst: Burst | null = null;
    if (opts.burst > 0) {
      const path = '/digit/N.png?steps=100';
      log(`burst: ${opts.burst} requests for ${path} at once…`);
      const plan = Array.from({ length: opts.burst }, (_, i): Planned => ({ kind: 'burst', path: `/digit/${i % 10}.png?steps=100`, expect: 200 }));
      const [started, cpuStart] = [performance.now(), cpu()];
      const answers = Promise.all(plan.map((p) => send(url, p)));
      const health = requestOnce(`${url}/healthz`);
      const done = await answers;
      const [wallMs, cpuMs] = [performance.now() - started, since(cpuStart)];
      burst = { path, requests: done.length, errors: done.filter(isError).length, wallMs, cpuMs, ...latency(done), healthzMs: (await health).ms, tensorsAfter: await tensors(url), rssMiBAfter: rss() };
      log(`burst: ${burst.errors} errors · all answered in ${(wallMs / 1000).toFixed(1)} s, workerd CPU ${cpuMs ?? '–'} ms · p50 ${burst.p50Ms.toFixed(0)} ms · p99 ${burst.p99Ms.toFixed(0)} ms · /healthz waited ${burst.healthzMs.toFixed(0)} ms · ${burst.tensorsAfter} tensors · RSS ${burst.rssMiBAfter ?? '–'} MiB`);
    }

    const errors = all.filter(isError);
    return { url, connections: opts.connections, requests: all.length, errors: errors.length, errorSamples: errors.slice(0, 10).map(asText), windows, kinds: summaries, burst, ceiling };
  } finally {
    await mf.dispose();
    fs.rmSync(assets, { recursive: true, force: true });
  }
}
