/** The shape of reports/soak.json (`npm run bench -- --soak`) and its Markdown rendering, reports/soak.md. */
import { fixed, markdownTable } from '../eval/reports';
import type { SoakBench } from './soak';

export interface SoakReport extends SoakBench {
  kind: 'soak';
  date: string;
  machine: string;
  /** 1-minute load average before and after: other work on the machine slows every latency. */
  loadAverage: { start: number; end: number };
  wallSeconds: number;
}

const seconds = (ms: number | null) => fixed(ms === null ? null : ms / 1000, 1);

export function soakMarkdown(r: SoakReport): string {
  const out = [
    '# Soak, burst and the ceiling on one request',
    '',
    `${r.date} · ${r.machine} · load average ${r.loadAverage.start} → ${r.loadAverage.end} · ${(r.wallSeconds / 60).toFixed(1)} min. The bundled Worker in workerd on its own port (${r.url}), not through \`wrangler dev\`. Written by \`npm run bench -- --soak\`.`,
  ];
  if (r.ceiling) {
    const c = r.ceiling;
    out.push(
      '',
      '## The largest request of each kind, and GET /healthz behind it',
      '',
      `The Worker refuses what it estimates above ${c.budgetMs} ms of CPU (src/cost.ts). CPU is the workerd process's around the request alone (10 ms ticks); /healthz is sent 20 ms after the request starts, and waits for it: one isolate runs one request's JavaScript at a time. /healthz alone: ${c.healthzAloneMs.toFixed(1)} ms.`,
      '',
      markdownTable(
        ['largest', 'request', 'status', 'CPU ms', 'wall ms', '/healthz behind it, ms'],
        c.rows.map((x) => [x.kind, `\`${x.method} ${x.path}\``, x.status, fixed(x.cpuMs, 0), fixed(x.wallMs, 0), fixed(x.healthzBehindMs, 0)]),
        [false, false, true, true, true, true],
      ),
    );
  }
  out.push(
    '',
    '## Soak',
    '',
    `${r.requests} mixed requests, ${r.connections} at a time: **${r.errors} errors** (a failed connection, a 5xx, or any status but the one the request was built to get). After each window, with nothing in flight, the isolate's live tensors and the workerd process's resident memory. The workerd process's CPU during the window is what the window cost; the latencies also count its waits for a core, on a machine shared with other work.`,
    '',
    markdownTable(
      ['requests', 'errors so far', 'p50 ms', 'p99 ms', 'max ms', 'workerd CPU s', 'tensors', 'RSS MiB'],
      r.windows.map((w) => [w.requests, w.errors, fixed(w.p50Ms, 1), fixed(w.p99Ms, 1), fixed(w.maxMs, 0), seconds(w.cpuMs), w.tensors, fixed(w.rssMiB, 1)]),
    ),
    '',
    markdownTable(
      ['kind', 'requests', 'errors', 'p50 ms', 'p99 ms', 'statuses'],
      r.kinds.map((k) => [k.kind, k.requests, k.errors, fixed(k.p50Ms, 1), fixed(k.p99Ms, 1), Object.entries(k.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')]),
      [false, true, true, true, true, false],
    ),
  );
  if (r.errorSamples.length) out.push('', 'First errors:', '', ...r.errorSamples.map((e) => `- \`${e}\``));
  if (r.burst) {
    const b = r.burst;
    out.push(
      '',
      '## Burst',
      '',
      `${b.requests} requests for \`${b.path}\` sent at once: **${b.errors} errors**; the last answered after ${fixed(b.wallMs / 1000, 1)} s (p50 ${fixed(b.p50Ms, 0)} ms, p99 ${fixed(b.p99Ms, 0)} ms), for ${seconds(b.cpuMs)} s of the workerd process's CPU. A GET /healthz sent with them waited ${fixed(b.healthzMs, 0)} ms. Afterwards: ${b.tensorsAfter} tensors, RSS ${fixed(b.rssMiBAfter, 1)} MiB.`,
    );
  }
  return `${out.join('\n')}\n`;
}
