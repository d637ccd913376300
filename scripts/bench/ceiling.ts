/**
 * The ceiling on one request, measured: the largest request of each kind the
 * Worker accepts (found with the Worker's own estimates, src/cost.ts), its CPU
 * (the workerd process's, around it alone) and wall time, and how long
 * GET /healthz then waits behind it. A Worker isolate runs one request's
 * JavaScript at a time, so that wait is the price every other client pays
 * for one large request.
 */
import { animationCost, editCost, sheetCost } from '../../src/cost';
import { LIMITS } from '../../src/limits';
import { Rng } from '../../src/model/rng';
import { samplingAt } from '../../src/model/sampling-defaults';
import { SERVED_SETS } from '../../src/model/served-sets';
import { weightSetFor } from '../../src/model/weight-sets';
import { greyPng } from '../../test/helpers/png';
import { median } from '../eval/stats';
import { requestOnce } from './request-once';
import { cpuMs } from './workerd-process';

export interface CeilingRow {
  /** What the request is the largest of. */
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  status: number;
  /** The workerd process's CPU during the request alone (10 ms ticks); null where /proc cannot say. */
  cpuMs: number | null;
  wallMs: number;
  /** GET /healthz sent 20 ms after the request started: from its sending to its answer. */
  healthzBehindMs: number;
}

export interface Ceiling {
  budgetMs: number;
  /** GET /healthz with nothing in front of it, median of 5. */
  healthzAloneMs: number;
  rows: CeilingRow[];
}

interface Largest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  body?: Uint8Array<ArrayBuffer>;
}

/** The weights and default guidance that draw `steps` (what the Worker would pick). */
function drawer(steps: number) {
  const { manifest } = weightSetFor(SERVED_SETS, steps);
  return { unet: manifest.architecture, guidance: samplingAt(manifest.sampling, steps).defaultGuidance };
}

/** The largest `n` in [lo, hi] that `fits`, or lo - 1. */
function largest(lo: number, hi: number, fits: (n: number) => boolean): number {
  for (let n = hi; n >= lo; n--) if (fits(n)) return n;
  return lo - 1;
}

const allowed = (cost: () => number) => {
  try {
    cost();
    return true;
  } catch {
    return false;
  }
};

/**
 * An upload as costly as the API takes: noise (which does not compress, so it
 * costs the most to decode and to encode again), 1024 px wide and as tall as
 * 1 MiB of PNG holds (1020 rows).
 */
const NOISE_ROWS = 1020;
function noisePng(): Uint8Array<ArrayBuffer> {
  const rng = new Rng(22);
  return greyPng(LIMITS.maxSize, NOISE_ROWS, Uint8Array.from({ length: LIMITS.maxSize * NOISE_ROWS }, () => rng.int(256)));
}

/** The largest accepted request of each kind, by the Worker's own estimates. */
export function largestRequests(): Largest[] {
  const cells = LIMITS.maxSheetDigits * LIMITS.maxSheetSeeds;
  const sheetSteps = (size: number) => largest(1, LIMITS.maxSteps, (steps) => allowed(() => sheetCost({ ...drawer(steps), images: cells, steps }, size)));
  const animationSize = (steps: number) => largest(LIMITS.minSize, LIMITS.maxSize, (size) => allowed(() => animationCost({ ...drawer(steps), images: 1, steps }, size)));
  const noise = noisePng();
  const out: Largest[] = [];
  for (const size of [LIMITS.minSize, LIMITS.maxSheetCell]) {
    out.push({ kind: `sheet of ${cells} digits at ${size} px`, method: 'GET', path: `/sheet.png?digits=0123456789&seeds=${LIMITS.maxSheetSeeds}&size=${size}&steps=${sheetSteps(size)}` });
  }
  for (const steps of [LIMITS.maxSteps, 10]) out.push({ kind: `animation of ${steps} frames`, method: 'GET', path: `/digit/8.apng?steps=${steps}&size=${animationSize(steps)}` });
  out.push({ kind: 'digit', method: 'GET', path: `/digit/8.png?steps=${LIMITS.maxSteps}&size=${LIMITS.maxSize}` });
  const upload = { pixels: LIMITS.maxSize * NOISE_ROWS, pictureBytes: noise.length };
  const edit = (keepsPicture: boolean) => largest(1, LIMITS.maxSteps, (steps) => allowed(() => editCost({ ...drawer(steps), images: 1, steps }, upload, keepsPicture)));
  // A drawing of the largest size compresses to little: its inpainting may take every step, RePaint's repeats included.
  const drawing = greyPng(LIMITS.maxSize, LIMITS.maxSize, Uint8Array.from({ length: LIMITS.maxSize ** 2 }, (_, i) => (Math.floor(i / LIMITS.maxSize / 64) + Math.floor((i % LIMITS.maxSize) / 64)) % 2 ? 255 : 0));
  const calls = LIMITS.maxSteps / LIMITS.maxResample;
  out.push({ kind: `inpaint of a 1024² drawing, ${calls} steps × ${LIMITS.maxResample} resamples`, method: 'POST', path: `/inpaint?digit=8&steps=${calls}&resample=${LIMITS.maxResample}&mask=0,0,512,512`, body: drawing });
  out.push({ kind: 'inpaint of a noise upload, most steps allowed', method: 'POST', path: `/inpaint?digit=8&steps=${edit(true)}&mask=0,0,512,512`, body: noise });
  out.push({ kind: 'restyle of a noise upload, most steps allowed', method: 'POST', path: `/restyle?to=8&strength=1&steps=${edit(false)}`, body: noise });
  return out;
}

const send = (url: string, r: Largest) => requestOnce(`${url}${r.path}`, r.body ? { method: r.method, headers: { 'Content-Type': 'image/png' }, body: r.body } : {});

export async function measureCeiling(url: string, pid: number | null, log: (line: string) => void): Promise<Ceiling> {
  const healthz = () => send(url, { kind: 'healthz', method: 'GET', path: '/healthz' });
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) alone.push((await healthz()).ms);
  const rows: CeilingRow[] = [];
  for (const r of largestRequests()) {
    await send(url, r); // once first: kernels and code warm, as for any later client
    const cpuBefore = pid === null ? null : cpuMs(pid);
    const { status, ms } = await send(url, r);
    const cpu = pid === null || cpuBefore === null ? null : cpuMs(pid) - cpuBefore;
    const big = send(url, r);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const behind = await healthz();
    await big;
    rows.push({ kind: r.kind, method: r.method, path: r.path, status, cpuMs: cpu, wallMs: ms, healthzBehindMs: behind.ms });
    log(`largest ${r.kind}: ${r.method} ${r.path} → ${status}, CPU ${cpu ?? '–'} ms, wall ${ms.toFixed(0)} ms; /healthz behind it ${behind.ms.toFixed(0)} ms`);
  }
  return { budgetMs: LIMITS.requestBudgetMs, healthzAloneMs: median(alone), rows };
}
