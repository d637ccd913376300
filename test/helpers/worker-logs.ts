/** The bundled Worker in workerd with its stdout captured: the one JSON line per request that `wrangler tail` would show. */
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import { bundledWorkerOptions } from '../../scripts/build/worker-options';
import { BUNDLE_DIR } from './worker';

export interface RequestLogLine {
  method: string;
  route: string;
  status: number;
  ms: number;
  cache: string | null;
  seed: string | null;
  weightsVersion: string | null;
  phases: Partial<Record<'decode' | 'model' | 'encode' | 'cache', number>>;
  inflatedBytes?: number;
}

export interface LoggedAnswer {
  res: Response;
  body: ArrayBuffer;
  /** This request's log line. */
  log: RequestLogLine;
}

export interface LoggedWorker {
  mf: Miniflare;
  /** One request at a time: its answer, read whole, and the line it logged. */
  request: (path: string, init?: RequestInit) => Promise<LoggedAnswer>;
}

export function startWorkerWithLogs(): LoggedWorker {
  let stdout = '';
  const mf = new Miniflare({
    ...bundledWorkerOptions(BUNDLE_DIR),
    handleRuntimeStdio(out: Readable, err: Readable) {
      out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      err.resume();
    },
  });
  const lines = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RequestLogLine);
  return {
    mf,
    async request(path, init) {
      const before = lines().length;
      const res = (await mf.dispatchFetch(`http://localhost${path}`, init as never)) as unknown as Response;
      const body = await res.arrayBuffer();
      // stdout arrives through a pipe, a little after the response.
      for (let i = 0; i < 250 && lines().length === before; i++) await new Promise((r) => setTimeout(r, 20));
      const log = lines()[before];
      if (!log) throw new Error(`no log line for ${path}`);
      return { res, body, log };
    },
  };
}
