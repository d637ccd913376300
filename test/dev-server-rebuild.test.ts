/**
 * `npm start` (wrangler dev) keeps serving the static assets while dist/client
 * is rebuilt under it, as `npm test`, `npm run build:client`, `pictures` and
 * `deploy` all do: polled through the rebuild and after wrangler's reload, the
 * client, every file it names and Swagger UI's files answer 200. Before the
 * build swapped files into the folder it keeps (scripts/build/swap-in.ts), the
 * server answered 500 on them until restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wranglerCommand } from '../scripts/build/wrangler';
import { SWAGGER_UI_FILES, SWAGGER_UI_FOLDER } from '../src/page/swagger-ui';

let dev: ChildProcess;
let origin: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const [port, inspector] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${port}`;
  // Its own process group, so that afterAll ends wrangler and its workerd together.
  dev = spawn(...wranglerCommand(['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)]), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      log += chunk;
      if (log.includes('Ready on')) resolve();
    };
    dev.stdout!.on('data', seen);
    dev.stderr!.on('data', seen);
    dev.on('exit', (code) => reject(new Error(`wrangler dev exited (${code}):\n${log}`)));
  });
}, 180_000);

afterAll(() => {
  if (dev?.pid) process.kill(-dev.pid, 'SIGTERM');
});

/** Status of every served client file: the entry points, the hashed files client.js names, Swagger UI's. */
async function statuses(): Promise<Record<string, number>> {
  const client = await fetch(`${origin}/client.js`);
  const named = [...(await client.text()).matchAll(/"(client\/[\w.-]+)"/g)].map((m) => `/${m[1]}`);
  const paths = ['/draw-worker.js', ...new Set(named), ...SWAGGER_UI_FILES.map((f) => `/${SWAGGER_UI_FOLDER}/${f}`)];
  const out: Record<string, number> = { '/client.js': client.status };
  for (const p of paths) out[p] = (await fetch(`${origin}${p}`)).status;
  return out;
}

describe('wrangler dev while the client is rebuilt', () => {
  it('serves the whole client before, during and after the rebuild', { timeout: 180_000 }, async () => {
    const before = await statuses();
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(6); // client.js, draw-worker.js, 2 wasm, 2 weights, Swagger UI
    expect(Object.values(before).every((s) => s === 200), JSON.stringify(before)).toBe(true);

    const seen: Record<string, number>[] = [];
    const build = spawn('npm', ['run', 'build:client'], { stdio: 'ignore' });
    const built = new Promise<number | null>((resolve) => build.on('exit', resolve));
    let done = false;
    void built.then(() => (done = true));
    while (!done) seen.push(await statuses());
    expect(await built).toBe(0);
    // wrangler reloads the assets a moment after its watcher fires: poll across that too.
    for (const end = Date.now() + 8_000; Date.now() < end; ) seen.push(await statuses());

    const failed = seen.filter((s) => !Object.values(s).every((status) => status === 200));
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    expect(seen.length).toBeGreaterThan(2);
  });
});
