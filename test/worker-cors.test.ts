/**
 * CORS on everything a page on another origin may load: every route of the
 * OpenAPI document and every file of the browser client (dist/client/), each
 * asked for as a page would, and preflighted. Every answer, errors included,
 * carries Access-Control-Allow-Origin: *, and every header the document
 * promises is one a page can read.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ASSETS_DIR } from '../scripts/build/worker-options';
import { greyPng } from './helpers/png';
import { startWorker } from './helpers/worker';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; example?: unknown }[];
  requestBody?: unknown;
  responses: Record<string, { headers?: Record<string, unknown> }>;
}

const ORIGIN = 'https://elsewhere.example';
/** Response headers every page can read without being told (the Fetch standard's CORS-safelisted ones). */
const SAFELISTED = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

/** The browser client's files as the Worker serves them: /client.js, /draw-worker.js, /client/<hashed name>… */
function staticFiles(): string[] {
  return fs
    .readdirSync(ASSETS_DIR, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== '_headers')
    .map((e) => `/${path.relative(ASSETS_DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
}

/** A request the document says succeeds: path parameters and required query parameters from its examples, a PNG for a body. */
function example(route: string, op: Operation): string {
  let url = route;
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    if (p.in === 'path') url = url.replace(`{${p.name}}`, String(p.example));
    if (p.in === 'query' && p.required) query.set(p.name, String(p.example));
  }
  // /inpaint needs a mask: its rectangle's example.
  const mask = op.parameters?.find((p) => p.name === 'mask');
  if (mask) query.set('mask', String(mask.example));
  return query.size ? `${url}?${query}` : url;
}

it('answers every route and static file, and its preflight, with CORS a page can use', { timeout: 300_000 }, async () => {
  const doc = (await (await mf.dispatchFetch('http://localhost/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
  const requests: { method: string; url: string; readable: string[] }[] = [];
  for (const [route, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      // Every header the document says a success or refusal carries must be readable by the page.
      const readable = Object.values(op.responses).flatMap((r) => Object.keys(r.headers ?? {}));
      requests.push({ method: method.toUpperCase(), url: example(route, op), readable });
    }
  }
  const files = staticFiles();
  expect(files).toEqual(expect.arrayContaining(['/client.js', '/draw-worker.js']));
  expect(files.filter((f) => f.startsWith('/client/')).length).toBeGreaterThanOrEqual(3); // wasm binaries and weights
  for (const file of files) if (!requests.some((r) => r.url === file)) requests.push({ method: 'GET', url: file, readable: ['ETag'] });
  // Refusals too: an unknown path, a bad parameter, a method a path does not take.
  requests.push({ method: 'GET', url: '/no/such/file.js', readable: [] }, { method: 'GET', url: '/client/no-such-0123456789abcdef.wasm', readable: [] }, { method: 'GET', url: '/digit/5.png?steps=0', readable: [] }, { method: 'DELETE', url: '/client.js', readable: ['Allow'] });

  const seen: string[] = [];
  for (const { method, url, readable } of requests) {
    const what = `${method} ${url}`;
    const body = method === 'POST' ? greyPng(28, 28, new Array(784).fill(0)) : undefined;
    const res = await mf.dispatchFetch(`http://localhost${url}`, { method, headers: { Origin: ORIGIN, ...(body ? { 'Content-Type': 'image/png' } : {}) }, body } as never);
    await res.arrayBuffer();
    seen.push(`${what} ${res.status}`);
    expect(res.status, what).toBeLessThan(500);
    expect(res.headers.get('access-control-allow-origin'), what).toBe('*');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',').map((h) => h.trim());
    for (const header of readable) expect([...SAFELISTED, ...exposed], `${what}: ${header}`).toContain(header.toLowerCase());

    // What a page sends before a request with its own headers (here, a conditional one and a body type).
    const preflight = await mf.dispatchFetch(`http://localhost${url}`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'if-none-match, content-type' },
    });
    expect(preflight.status, `preflight ${what}`).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin'), `preflight ${what}`).toBe('*');
    if (method !== 'DELETE') expect(preflight.headers.get('access-control-allow-methods')?.split(','), `preflight ${what}`).toContain(method);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase(), `preflight ${what}`).toContain('if-none-match');
  }
  console.log('walked:', seen.join('; '));
  // The walk reached the real answers, not only refusals.
  expect(seen.filter((s) => / 200$/.test(s)).length).toBeGreaterThanOrEqual(files.length + 10);
});
