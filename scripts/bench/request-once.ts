/**
 * One HTTP request over a connection of its own, closed after the answer.
 * Probes use it rather than fetch's pool of kept-alive connections: while
 * one request holds workerd's thread for seconds, a kept-alive connection's
 * idle timer expires unseen, and workerd closes that connection as soon as
 * its thread is free, under whatever request the pool just sent on it.
 */
import http from 'node:http';

export interface Answered {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** From sending to the last byte of the answer. */
  ms: number;
}

export function requestOnce(url: string, init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<Answered> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
