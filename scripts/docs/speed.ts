/** docs/speed.md's generated blocks (and the figures other pages quote), from reports/bench.json: one function per block. */
import type { BenchModel, BenchReport } from '../bench/bench-report';
import { samplingAt } from '../../src/model/sampling-defaults';
import type { GenerationTiming } from '../bench/generation';
import { guidanceLabel } from '../eval/models';
import { fixed, markdownTable } from '../eval/reports';
import { day, DEFAULT_SET, modelIn, servedFor } from './reports';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** A model's timing at `steps` and its own default guidance there (the teacher's 2, a student's served one). */
function timing(b: BenchReport, model: BenchModel, steps: number): GenerationTiming | undefined {
  return b.generation.find((g) => g.model === model.name && g.steps === steps && g.guidance === samplingAt(model.sampling, steps).defaultGuidance);
}

/** The bench entry of the weights that draw `steps` now. */
const drawing = (b: BenchReport, steps: number) => modelIn(b.models, servedFor(steps).version, 'reports/bench.json');

/** ms of model time a request of `steps` costs in Node, drawn as served. */
export function servedMs(b: BenchReport, steps: number): number {
  const t = timing(b, drawing(b, steps), steps);
  if (!t) throw new Error(`reports/bench.json did not time steps=${steps} on ${servedFor(steps).name}: run npm run bench with --steps including ${steps}`);
  return t.medianMs;
}

export function teacherMs(b: BenchReport, steps: number): number | undefined {
  return timing(b, b.models[0], steps)?.medianMs;
}

/** A workerd row by the request's query: '' is the default request. */
export function workerdRow(b: BenchReport, query: string) {
  return b.workerd?.rows.find((row) => row.path === `/digit/5.png${query}`);
}

export function speedSetup(b: BenchReport): string {
  const reps = Math.min(...b.generation.map((g) => g.reps));
  return `Measured on ${day(b.date)} by \`npm run bench\` on ${b.machine}, ${b.backend}, median of ${reps} after warm-up, ${Math.round(b.wallSeconds)} s in all; load average ${b.loadAverage.start} → ${b.loadAverage.end} (the bench uses one core: above 1, other work was competing with it). Every figure: [reports/bench.md](../reports/bench.md).`;
}

/** ms per digit in Node, one thread, each model at its default guidance; the set that serves each step count in bold. */
export function perDigitTable(b: BenchReport): string {
  const teacher = b.models[0];
  const steps = [...new Set(b.generation.map((g) => g.steps))].sort((x, y) => x - y);
  const headers = ['steps', ...b.models.map((m) => `${m.name}, guidance ${guidanceLabel(m.sampling)} (${m === teacher && m.sampling.defaultGuidance > 1 ? '2 rows' : '1 row'} per step)`), 'served ÷ teacher'];
  const rows = steps.map((s) => {
    const served = drawing(b, s);
    const cells = b.models.map((m) => {
      const t = timing(b, m, s);
      const text = t ? `${fixed(t.medianMs, 2)} ms` : '–';
      return m === served && t ? `**${text}**` : text;
    });
    const teacherTime = teacherMs(b, s);
    const ratio = teacherTime && timing(b, served, s) ? `${fixed(servedMs(b, s) / teacherTime, 2)}×` : '–';
    return [s === DEFAULT_SET.sampling.defaultSteps ? `${s} (the default request)` : s, ...cells, ratio];
  });
  return markdownTable(headers, rows);
}

export function workerdTable(b: BenchReport): string {
  if (!b.workerd) return '_This bench ran without the workerd measurement._';
  const ms = (v: number | null) => (v === null ? '–' : fixed(v, 1));
  return markdownTable(
    ['request', 'drawn by', 'whole request, ms', 'in the isolate, ms', 'of which model', 'PNG', 'rest'],
    b.workerd.rows.map((row) => [
      `\`GET ${row.path}\``,
      row.weightSet ? `${row.weightSet}, ${row.steps} step${row.steps === 1 ? '' : 's'}` : '–',
      ms(row.requestMs),
      ms(row.isolateMs),
      ms(row.modelMs),
      ms(row.pngMs),
      ms(row.restMs),
    ]),
    [false, false, true, true, true, true, true],
  );
}

const HTTP_LOADS: Record<string, string> = { uncached: 'no seed: the model runs', miss: 'fresh seeds: model, then cache.put', hit: 'a repeated seed: cache hit' };

export function httpTable(b: BenchReport): string {
  if (!b.http) return '_This bench ran without the HTTP load test._';
  return markdownTable(
    ['load (default requests)', 'connections', 'requests', 'requests/s', 'p50 ms', 'p99 ms', 'failed'],
    Object.entries(b.http.runs).map(([name, run]) => [HTTP_LOADS[name] ?? name, run.connections, run.requests, fixed(run.requestsPerSecond, 1), run.p50Ms, run.p99Ms, run.non2xx + run.errors]),
    [false, true, true, true, true, true, true],
  );
}

export function startupAndSize(b: BenchReport): string {
  const lines: string[] = [];
  const cold = b.models.map((m) => `${m.name} ${fixed(m.coldStart.totalMedianMs, 1)} ms`).join(', ');
  lines.push(`- **Cold start** in a fresh Node process (backend start-up, weights checked and decoded): ${cold}.`);
  if (b.http?.workerdStartupMs != null) lines.push(`- **In workerd**, the Worker starts the backend and checks and decodes the default request's weight set in ${b.http.workerdStartupMs} ms, on the first request an isolate gets; each other set is checked and decoded when a request first needs it.`);
  if (b.bundle) {
    const files = b.bundle.files.map((f) => `${bundleFileLabel(b, f.name)} ${kib(f.gzipBytes)}`).join(', ');
    lines.push(`- **Bundle** (\`wrangler deploy --dry-run\`): ${kib(b.bundle.bytes)} raw, **${kib(b.bundle.gzipBytes)} gzip** (${files}).`);
  }
  lines.push(`- **PNG encode** of a 28×28 digit: ${fixed(b.pngEncode.medianMs, 2)} ms.`);
  return lines.join('\n');
}

/** "index.js", "tfjs-backend-wasm-simd.wasm", "model.bin (few-step)": a bundled file by what it is. */
export function bundleFileLabel(b: BenchReport, name: string): string {
  if (!name.endsWith('model.bin')) return name.replace(/^[0-9a-f]{40}-/, '');
  const bytes = b.bundle!.files.find((f) => f.name === name)!.bytes;
  const model = b.models.find((m) => m.weightBytes === bytes);
  return `model.bin (${model?.name ?? 'unknown weights'})`;
}

/** The first run of a set's default in an isolate (conditioning not yet cached), where the report has it. */
function firstRunNote(b: BenchReport, setName: string): string {
  const served = b.models.find((m) => m.name === setName)?.served;
  if (served?.firstRunMs === undefined || served.cacheSavedMs === undefined) return '';
  return `; the conditioning cache saves ${fixed(served.cacheSavedMs, 2)} ms of it once an isolate has drawn that digit (${fixed(served.firstRunMs, 2)} ms cold against ${fixed(served.firstRunMs - served.cacheSavedMs, 2)} ms warm, timed alternately)`;
}

export function speedHeadlines(b: BenchReport): string {
  const d = DEFAULT_SET.sampling.defaultSteps;
  const lines = [
    `- **The default request** (${servedFor(d).name}, ${d} steps): ${fixed(servedMs(b, d), 2)} ms of model time in Node${workerdRow(b, '') ? `, ${fixed(workerdRow(b, '')!.isolateMs, 1)} ms in the Worker's isolate` : ''}${firstRunNote(b, servedFor(d).name)}.`,
    `- **\`steps=10\`** (${servedFor(10).name}): ${fixed(servedMs(b, 10), 2)} ms${teacherMs(b, 10) ? `, ${fixed(servedMs(b, 10) / teacherMs(b, 10)!, 2)}× the teacher's ${fixed(teacherMs(b, 10), 2)} ms` : ''}${workerdRow(b, '?steps=10') ? `; ${fixed(workerdRow(b, '?steps=10')!.isolateMs, 1)} ms in the isolate` : ''}.`,
  ];
  if (b.bundle) lines.push(`- **The Worker's bundle**: ${kib(b.bundle.gzipBytes)} gzip.`);
  return lines.join('\n');
}
