/** The Worker under repetition and with broken weights: no tensor growth, and 503 rather than a wrong image. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { bundleWithWeights, startWorker } from './helpers/worker';

const workers: Miniflare[] = [];
afterAll(() => Promise.all(workers.map((w) => w.dispose())));
function start(dir?: string) {
  const mf = startWorker(dir);
  workers.push(mf);
  return (path: string) => mf.dispatchFetch(`http://localhost${path}`);
}

describe('memory', () => {
  it('keeps the same number of live tensors over 200 requests', async () => {
    const get = start();
    const tensors = async () => ((await (await get('/healthz')).json()) as { tensors: number }).tensors;
    const paths = (i: number) => [`/digit/${i % 10}.png?seed=${i}&steps=2`, `/digit/${i % 10}.png?seed=${i}&steps=2&sampler=ddim&guidance=0`, `/digit/1.png?steps=0`, `/digit/${i % 10}.png?seed=${i}&steps=1&guidance=1`];
    await (await get('/digit/0.png?seed=0&steps=1')).arrayBuffer();
    const after1 = await tensors();
    for (let i = 0; i < 200; i++) {
      const res = await get(paths(i)[i % 4]);
      await res.arrayBuffer();
    }
    expect(await tensors()).toBe(after1);
  });
});

describe('corrupted weights', () => {
  it('answers 503 JSON on every generation route when the binary fails its checksum', async () => {
    const get = start(bundleWithWeights((b) => {
      b[100] ^= 0xff;
      return b;
    }));
    for (const path of ['/digit/5.png?seed=1', '/digit/5.png', '/model', '/healthz']) {
      const res = await get(path);
      expect(res.status, path).toBe(503);
      const body = (await res.json()) as { error: string };
      expect(body.error).toBe('model_unavailable');
    }
    // Input errors are still reported as such.
    expect((await get('/digit/5.png?steps=0')).status).toBe(400);
  });

  it('answers 503 when the binary is truncated', async () => {
    const get = start(bundleWithWeights((b) => b.subarray(0, b.length - 1000)));
    const res = await get('/digit/3.png?seed=3');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('model_unavailable');
  });
});
