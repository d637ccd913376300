/**
 * `npm run bench -- --soak` on the bundled Worker (.test-bundle/), made small:
 * the largest requests it sends are the largest the Worker accepts (one step
 * more is refused), and a short soak and burst run with every kind of
 * request answered as built, nothing leaking, and the report saying so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largestRequests } from '../scripts/bench/ceiling';
import { benchSoak, type SoakBench } from '../scripts/bench/soak';
import { soakMarkdown } from '../scripts/bench/soak-report';
import { BUNDLE_DIR, startWorker } from './helpers/worker';

describe('the largest requests', () => {
  const worker = startWorker();
  afterAll(() => worker.dispose());
  const send = (r: ReturnType<typeof largestRequests>[number], path = r.path) =>
    worker.dispatchFetch(`http://localhost${path}`, r.body ? { method: r.method, headers: { 'Content-Type': 'image/png' }, body: r.body } : {});

  it('are accepted, and one step or pixel more is refused over budget', { timeout: 600_000 }, async () => {
    const largest = largestRequests();
    expect(largest.map((r) => r.kind)).toEqual(expect.arrayContaining([expect.stringMatching(/^sheet/), expect.stringMatching(/^animation/), expect.stringMatching(/^inpaint of a noise/), expect.stringMatching(/^restyle/)]));
    for (const r of largest) {
      const res = await send(r);
      expect(res.status, `${r.method} ${r.path}: ${await res.clone().text().then((t) => t.slice(0, 200))}`).toBe(200);
      await res.arrayBuffer();
      // Past the sheet's and the noise inpainting's steps, and the animation's size, the estimate refuses.
      const more = r.kind.startsWith('animation') ? r.path.replace(/size=(\d+)/, (_, n) => `size=${Number(n) + 1}`) : /^(sheet|inpaint of a noise)/.test(r.kind) ? r.path.replace(/steps=(\d+)/, (_, n) => `steps=${Number(n) + 1}`) : null;
      if (!more) continue;
      const refused = await send(r, more);
      expect(refused.status, `${r.method} ${more}`).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe('over_budget');
    }
  });
});

describe('a short soak and burst', () => {
  let soak: SoakBench;
  beforeAll(async () => {
    soak = await benchSoak(BUNDLE_DIR, { requests: 60, connections: 4, window: 30, burst: 4, ceiling: false }, () => {});
  }, 600_000);

  it('answers every request as it was built to be answered, in windows with tensors and memory', () => {
    expect(soak.errorSamples).toEqual([]);
    expect([soak.requests, soak.errors]).toEqual([60, 0]);
    expect(soak.windows.map((w) => w.requests)).toEqual([30, 60]);
    // Nothing in flight at a snapshot: the same live tensors after every window.
    expect(new Set(soak.windows.map((w) => w.tensors)).size).toBe(1);
    for (const w of soak.windows) expect(w.rssMiB).toBeGreaterThan(10);
    expect(soak.kinds.reduce((n, k) => n + k.requests, 0)).toBe(60);
  });

  it('bursts, and writes it all into the report', () => {
    expect(soak.burst).toMatchObject({ requests: 4, errors: 0, tensorsAfter: soak.windows[0].tensors });
    const md = soakMarkdown({ ...soak, kind: 'soak', date: 'd', machine: 'm', loadAverage: { start: 0, end: 0 }, wallSeconds: 1 });
    expect(md).toContain('60 mixed requests, 4 at a time: **0 errors**');
    expect(md).toContain('4 requests for `/digit/N.png?steps=100` sent at once: **0 errors**');
  });
});
