/** The generated blocks of the README, docs/deploy.md, docs/client.md and docs/history.md: one function per block. */
import { architectureLabel } from '../eval/models';
import { fixed, markdownTable } from '../eval/reports';
import { servedRow, teacherDefaultRow } from './quality';
import { day, DEFAULT_SET, percent, SERVED, type Reports } from './reports';
import { bundleFileLabel, servedMs, teacherMs } from './speed';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The free plan's CPU time per request (Cloudflare Workers limits). */
export const FREE_PLAN_CPU_MS = 10;

/** README: two requests, their quality and speed, stamped with the weights and the dates they were measured. */
export function atAGlance({ eval: e, bench: b }: Reports): string {
  const teacher = teacherDefaultRow(e);
  const d = DEFAULT_SET.sampling.defaultSteps;
  const row = (label: string, steps: number) => {
    const q = servedRow(e, steps);
    const t = teacherMs(b, steps);
    return [label, `${q.model}, ${steps} ${q.sampler} steps`, percent(q.accuracy), fixed(q.fid, 2), `${fixed(servedMs(b, steps), 1)} ms${t ? ` (${fixed(t, 1)})` : ''}`];
  };
  const named = SERVED.map((s) => `**${s.name}** \`${s.version}\` (${s.sampling.hand ? 'every request in a hand' : `steps ${s.steps[0]}-${s.steps[1]}${s.drawsDefaultRequest ? ', the default request' : ''}`})`);
  const sets = named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}` : named[0];
  const table = markdownTable(
    ['request', 'drawn by', 'accuracy', `FID (teacher's default: ${fixed(teacher.fid, 2)})`, 'model time (teacher, same steps)'],
    [row('`/digit/5.png`', d), row('`/digit/5.png?steps=10`', 10)],
    [false, false, true, true, true],
  );
  const bundle = b.bundle ? ` The Worker's bundle is ${kib(b.bundle.gzipBytes)} gzip.` : '';
  return `Weights ${sets}; quality measured ${day(e.date)} over ${e.settings.digitsPerConfig} digits per row, speed ${day(b.date)}, on one thread of a ${b.machine.split(' · ')[0]} machine.

${table}

Accuracy: the share an independent classifier reads as the digit asked for (real MNIST digits: ${percent(e.classifier.measuredTestAccuracy)}). FID: distance to real digits, lower is better (real against real: ${fixed(e.reference.fidFloor, 2)}).${bundle} More in [quality](docs/quality.md) and [speed](docs/speed.md).`;
}

/** docs/deploy.md: which plan the requests measured in workerd need, by their CPU time in the isolate. */
export function planTable({ bench: b }: Reports): string {
  if (!b.workerd) return '_The last bench ran without the workerd measurement._';
  const rows = b.workerd.rows.map((row) => [
    `\`GET ${row.path}\``,
    fixed(row.isolateMs, 1),
    row.isolateMs < FREE_PLAN_CPU_MS ? 'free or paid' : 'paid',
  ]);
  const startup = b.http?.workerdStartupMs;
  const against = (ms: number) => (ms > FREE_PLAN_CPU_MS ? `over the free plan's ${FREE_PLAN_CPU_MS} ms by itself` : `within the free plan's ${FREE_PLAN_CPU_MS} ms by itself, though not together with the request it comes with`);
  return `${markdownTable(['request', `CPU in the isolate, ms (bench of ${day(b.date)})`, 'plan'], rows, [false, true, false])}${
    startup != null ? `\n\nThe first generation request an isolate gets also starts the backend and decodes the default request's weight set: ${startup} ms in workerd here, ${against(startup)}. Another set is decoded when a request first needs it.` : ''
  }`;
}

/** docs/client.md: the client's binaries are the Worker's own (same bytes); their gzip sizes from the bench. */
export function clientBinaries({ bench: b }: Reports): string {
  if (!b.bundle) return '_The last bench ran without measuring the bundle._';
  const rows = b.bundle.files.filter((f) => f.name !== 'index.js').map((f) => {
    const label = bundleFileLabel(b, f.name);
    const set = SERVED.find((s) => label.includes(`(${s.name})`));
    const when = !set ? 'on import' : set.drawsDefaultRequest ? 'on import: the default request draws with it' : set.sampling.hand ? 'on the first draw in a given hand (a slant, a thickness or a number)' : `on the first draw of ${set.steps[0]} or more steps`;
    return [label.replace(/^model\.bin \((.+)\)$/, 'weights of the $1 set (`client/$1-<hash>.bin`)').replace(/^tfjs-backend-wasm-simd\.wasm$/, 'tfjs WASM SIMD binary (`client/tfjs-backend-wasm-simd-<hash>.wasm`)'), when, kib(f.gzipBytes)];
  });
  return `${markdownTable(['file', 'fetched', 'gzip'], rows, [false, false, true])}\n\n(\`npm run bench\` of ${day(b.date)}; the same bytes as the Worker bundles.)`;
}

/** docs/history.md: the widths-and-pruning runs of 2026-12-02, quality and speed side by side. */
export function widthsTable({ widths }: Reports): string {
  const { eval: e, bench: b } = widths;
  const steps = [1, 2, 4, 10];
  const fid = (m: string, s: number) => e.results.find((x) => x.model === m && x.steps === s && x.guidance === 2 && x.sampler === 'dpmpp');
  const rows = e.models.flatMap((m) => {
    const timed = b.models.find((x) => x.version === m.version);
    if (!timed) return [];
    const ms = (s: number) => b.generation.find((g) => g.model === timed.name && g.steps === s && g.guidance === 2)?.medianMs;
    return [[`${m.name} ${architectureLabel(m.architecture)}`, m.parameters.toLocaleString('en'), fixed(m.mflopsPerNetworkCall, 1), steps.map((s) => fixed(fid(m.name, s)?.fid, 1)).join(' / '), percent(fid(m.name, 10)!.accuracy), steps.map((s) => fixed(ms(s), 2)).join(' / ')]];
  });
  return `${markdownTable(['weights', 'parameters', 'MFLOP/call', 'FID at 1 / 2 / 4 / 10 steps', 'accuracy, 10 steps', 'ms per digit at 1 / 2 / 4 / 10 steps'], rows, [false, true, true, false, true, false])}

Quality: \`npm run eval\` of ${day(e.date)}, ${e.settings.digitsPerConfig} digits per row, dpmpp at guidance 2 ([reports/widths/eval.md](../reports/widths/eval.md)). Speed: \`npm run bench\` of ${day(b.date)}, guidance 2, ${b.models.length} models in turn ([reports/widths/bench.md](../reports/widths/bench.md)): with that many models round-robin, times run about 10-15 % above a two-model bench.`;
}
