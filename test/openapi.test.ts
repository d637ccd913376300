/**
 * GET /openapi.json against the bundled Worker in workerd: an OpenAPI 3.1
 * validator accepts it, today's error answers are unchanged byte for byte, and
 * a fuzzer that knows nothing but the document (valid and invalid requests
 * generated from its parameters and bodies) meets no 5xx and no answer the
 * document does not describe (status, content type, error shape).
 */
import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import { Rng } from '../src/model/rng';
import { styleStatsOf } from '../src/model/style-prior';
import { greyPng, multipart, type Bytes } from './helpers/png';
import { SERVED_DEFAULTS, startWorker } from './helpers/worker';

interface Schema {
  type?: string;
  required?: string[];
  minimum?: number;
  maximum?: number;
  enum?: string[];
  pattern?: string;
  properties?: Record<string, Schema>;
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
  example?: unknown;
}
interface Operation {
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema; examples?: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

let mf: Miniflare;
let doc: Document;
beforeAll(async () => {
  mf = startWorker();
  doc = (await (await mf.dispatchFetch('http://localhost/openapi.json')).json()) as Document;
});
afterAll(() => mf.dispose());

/** An error response's JSON schema. */
/** The general set's style statistics: the served sets share MNIST's, so the document states them as the parameters' bounds. */
const GENERAL_STYLE = styleStatsOf(JSON.parse(fs.readFileSync('weights/manifest.json', 'utf8')))!;

const errorSchema = (response: Operation['responses'][string]) => response.content!['application/json'].schema;

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the Worker serves, with ranges, defaults, bodies, errors and headers', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/', '/client.js', '/digit/{digit}.apng', '/digit/{digit}.png', '/docs', '/draw-worker.js', '/healthz', '/imitate', '/inpaint', '/model', '/number/{digits}.png', '/openapi.json', '/restyle', '/sheet.png']);
    const png = doc.paths['/digit/{digit}.png'].get;
    const steps = png.parameters!.find((p) => p.name === 'steps')!;
    expect(steps).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: SERVED_DEFAULTS.defaultSteps } });
    expect(png.parameters!.find((p) => p.name === 'digit')).toMatchObject({ in: 'path', required: true, schema: { minimum: 0, maximum: 9 } });
    expect(Object.keys(png.responses).sort()).toEqual(['200', '304', '400', '429', '500', '503']);
    expect(Object.keys(png.responses['200'].headers!).sort()).toEqual(['Cache-Control', 'Content-Location', 'ETag', 'Server-Timing', 'X-Cache', 'X-Seed', 'X-Style', 'X-Weights-Version']);
    // Style ranges are the served sets' training digits' p1…p99.
    const stats = GENERAL_STYLE;
    expect(png.parameters!.find((p) => p.name === 'slant')).toMatchObject({ in: 'query', required: false, schema: { type: 'number', minimum: stats.slant.p1, maximum: stats.slant.p99 } });
    expect(png.parameters!.find((p) => p.name === 'thickness')).toMatchObject({ schema: { minimum: stats.thickness.p1, maximum: stats.thickness.p99 } });
    const number = doc.paths['/number/{digits}.png'].get;
    expect(number.parameters!.find((p) => p.name === 'digits')).toMatchObject({ in: 'path', required: true, schema: { pattern: '^[0-9]{1,16}$' } });
    expect(number.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['spacing', 'slant', 'thickness', 'size', 'seed']));
    const imitate = doc.paths['/imitate'].post;
    expect(Object.keys(imitate.requestBody!.content).sort()).toEqual(['image/png', 'multipart/form-data']);
    expect(Object.keys(imitate.responses['200'].headers!)).toEqual(expect.arrayContaining(['X-Style', 'X-Style-Measured', 'X-Seed']));
    expect(imitate.parameters!.find((p) => p.name === 'digits')!.required).toBe(true);
    expect(Object.keys(png.responses['429'].headers!)).toEqual(['Retry-After']);
    const inpaint = doc.paths['/inpaint'].post;
    expect(Object.keys(inpaint.requestBody!.content).sort()).toEqual(['image/png', 'multipart/form-data']);
    expect(Object.keys(inpaint.responses).sort()).toEqual(['200', '400', '408', '413', '415', '429', '500', '503']);
    expect(inpaint.parameters!.find((p) => p.name === 'digit')!.required).toBe(true);
    expect(Object.keys(doc.paths['/client.js'].get.responses['200'].content!)).toEqual(['text/javascript']);
  });

  it('lists under each status only the error codes that route can give', () => {
    const codes = (path: string, method: string, status: string) => errorSchema(doc.paths[path][method].responses[status]).properties!.error.enum!;
    expect(codes('/inpaint', 'post', '400')).toContain('invalid_mask');
    expect(codes('/restyle', 'post', '400')).not.toContain('invalid_mask');
    expect(codes('/digit/{digit}.apng', 'get', '400')).toContain('over_budget');
    expect(codes('/digit/{digit}.png', 'get', '400')).not.toContain('over_budget');
    expect(codes('/sheet.png', 'get', '400')).not.toContain('invalid_digit');
    expect(codes('/digit/{digit}.png', 'get', '400')).toContain('style_unavailable');
    expect(codes('/number/{digits}.png', 'get', '400')).toEqual(expect.arrayContaining(['invalid_digit', 'style_unavailable', 'over_budget']));
    expect(codes('/imitate', 'post', '400')).toEqual(expect.arrayContaining(['blank_image', 'style_unavailable', 'over_budget', 'empty_body']));
    expect(codes('/imitate', 'post', '400')).not.toContain('invalid_digit');
    expect(codes('/restyle', 'post', '400')).not.toContain('blank_image');
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const schema = errorSchema(response);
          expect(schema.required, `${method} ${path} ${status}`).toEqual(['error', 'detail']);
          // Every code is one the API has, and its meaning is in the description.
          for (const code of schema.properties!.error.enum!) {
            expect(ERROR_CODES, `${method} ${path} ${status}`).toContain(code);
            expect((response as { description: string }).description, `${method} ${path} ${status}`).toContain(`${code}: `);
          }
        }
      }
    }
  });

  it('files every route under one of the document’s tags, by family', () => {
    const tags = (doc as unknown as { tags: { name: string; description: string }[] }).tags;
    expect(tags.map((t) => t.name)).toEqual(['Drawing', 'Editing', 'Model', 'Browser client', 'Reference']);
    const family = (path: string) => Object.values(doc.paths[path])[0].tags;
    expect(family('/digit/{digit}.png')).toEqual(['Drawing']);
    expect(family('/sheet.png')).toEqual(['Drawing']);
    expect(family('/number/{digits}.png')).toEqual(['Drawing']);
    expect(family('/imitate')).toEqual(['Editing']);
    expect(family('/restyle')).toEqual(['Editing']);
    expect(family('/healthz')).toEqual(['Model']);
    expect(family('/draw-worker.js')).toEqual(['Browser client']);
    expect(family('/docs')).toEqual(['Reference']);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const op of Object.values(methods)) expect(op.tags?.length === 1 && tags.some((t) => t.name === op.tags![0]), path).toBe(true);
    }
  });

  it('gives an example for every parameter and every request body', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const p of op.parameters ?? []) expect(p.example, `${method} ${path} ${p.name}`).toBeDefined();
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) expect(Object.keys(media.examples ?? {}).length, `${method} ${path} ${type}`).toBeGreaterThan(0);
      }
    }
    // The examples are valid requests: the query's examples together draw a picture.
    const png = doc.paths['/digit/{digit}.png'].get.parameters!;
    expect(Object.fromEntries(png.filter((p) => p.in === 'query').map((p) => [p.name, p.example]))).toMatchObject({ steps: 10, seed: 42, size: 112 });
  });

  it('sends nobody to the README: unknown paths point to /docs', async () => {
    const res = await mf.dispatchFetch('http://localhost/no/such/path');
    expect(res.status).toBe(404);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toContain('GET /docs');
    expect(body.detail).not.toMatch(/readme/i);
  });
});

describe('error answers', () => {
  const recorded = JSON.parse(fs.readFileSync('test/fixtures/error-answers.json', 'utf8')) as {
    answers: { method: string; path: string; status: number; body: unknown }[];
  };
  const IMAGE = greyPng(40, 30, Array.from({ length: 1200 }, (_, i) => (i * 7) % 256));
  it(`are byte for byte what the hand-written parsers answered (${recorded.answers.length} bad requests)`, async () => {
    for (const { method, path, status, body } of recorded.answers) {
      const res = await mf.dispatchFetch(`http://localhost${path}`, method === 'POST' ? { method, headers: { 'Content-Type': 'image/png' }, body: IMAGE } : {});
      expect([res.status, await res.text()], `${method} ${path}`).toEqual([status, JSON.stringify(body)]);
    }
  });
});

describe('a fuzzer driven by the document', () => {
  const REQUESTS_PER_OPERATION = 14;
  const rng = new Rng(20261202);
  const int = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  const chance = (p: number) => rng.int(1000) < p * 1000;
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];

  /**
   * A value the schema allows. Most parameters cost more as they grow (steps,
   * size, seeds), so values come from the cheap end of a range, with its upper
   * bound now and then; ranges wider than 2^16 (seeds) are sampled whole.
   */
  function valid(s: Schema): string {
    if (s.enum) return pick(s.enum);
    if (s.pattern) return fromPattern(s.pattern);
    const [lo, hi] = [s.minimum ?? 0, s.maximum ?? 100];
    if (s.type === 'integer') return String(hi - lo > 65536 ? int(lo, hi) : chance(0.03) ? hi : int(lo, Math.min(hi, lo + 3)));
    if (s.type === 'number') return String(chance(0.1) ? pick([lo, hi]) : +(lo + rng.int(1000) / 1000 * Math.min(hi - lo, 3)).toFixed(3));
    return 'x';
  }

  /** A value the schema refuses: out of range, not a number, or (half the time) a valid number misspelt. */
  function invalid(s: Schema): string {
    if (s.enum) return pick(['bogus', s.enum[0].toUpperCase(), '']);
    if (s.pattern) return pick(['', 'x', '-1', `${fromPattern(s.pattern)}!`]);
    const [lo, hi] = [s.minimum ?? 0, s.maximum ?? 100];
    if (chance(0.5)) return pick(misspellings(Number(valid(s))));
    return pick([String(hi + 1), String(lo - 1), 'x', '', 'NaN', ...(s.type === 'integer' ? [`${lo}.5`, '1e1'] : ['Infinity'])]);
  }

  /** Spellings of `v` that Number() reads as v and JSON's number grammar does not allow. */
  function misspellings(v: number): string[] {
    const padded = [`+${v}`, ` ${v}`, `${v} `, `\t${v}`];
    // 0.5 → .5; 1.25 → 01.25
    if (!Number.isInteger(v)) return [...padded, v < 1 ? String(v).slice(1) : `0${v}`];
    return [...padded, `0x${v.toString(16)}`, `0b${v.toString(2)}`, `0o${v.toString(8)}`, `0${v}`, `${v}.`];
  }

  /** A string matching the patterns the document uses: literals, \d and [0-9] classes, {m,n} repeats (mostly m: small numbers, short lists). */
  function fromPattern(pattern: string): string {
    let out = '';
    const tokens = pattern.replace(/^\^|\$$/g, '').match(/\\d|\[0-9\]|\{\d+,\d+\}|\\.|./g)!;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const repeat = /^\{(\d+),(\d+)\}$/.exec(tokens[i + 1] ?? '');
      const count = !repeat ? 1 : chance(0.7) ? Number(repeat[1]) : int(Number(repeat[1]), Number(repeat[2]));
      if (repeat) i++;
      for (let k = 0; k < count; k++) out += token === '\\d' || token === '[0-9]' ? String(rng.int(10)) : token.replace(/^\\/, '');
    }
    return out;
  }

  const png = (w: number, h: number) => greyPng(w, h, Array.from({ length: w * h }, () => rng.int(256)));

  /** A body for `content`: one of its media types filled from its schema, or (rarely) something it does not list. */
  function body(content: Record<string, { schema: Schema }>): { type: string; bytes: Bytes } {
    const picture = png(28, 28);
    if (chance(0.2)) return { type: 'text/plain', bytes: new TextEncoder().encode('not a picture') };
    if (chance(0.1)) return { type: 'image/png', bytes: Uint8Array.from({ length: int(0, 64) }, () => rng.int(256)) };
    const type = pick(Object.keys(content));
    if (type !== 'multipart/form-data') return { type, bytes: picture };
    const fields = Object.keys(content[type].schema.properties!).filter((name) => name === 'image' || chance(0.5));
    const form = multipart(fields.map((name) => ({ name, filename: `${name}.png`, type: 'image/png', body: name === 'image' ? picture : png(28, 28) })));
    return { type: form.contentType, bytes: form.body };
  }

  interface Generated {
    method: string;
    url: string;
    init: RequestInit;
  }

  /**
   * One request for `method path`: valid, or with one parameter broken,
   * unknown, repeated or missing; or, where the operation takes If-None-Match,
   * now and then an earlier URL again with the ETag it answered.
   */
  function generate(path: string, method: string, op: Operation, etags: Map<string, string>): Generated {
    const params = op.parameters ?? [];
    if (params.some((p) => p.name === 'if-none-match') && etags.size && chance(0.25)) {
      const [url, etag] = pick([...etags]);
      return { method, url, init: { method: method.toUpperCase(), headers: { 'If-None-Match': etag } } };
    }
    const values = new Map<Parameter, string>();
    for (const p of params) if (p.in !== 'header' && (p.required || chance(0.5))) values.set(p, valid(p.schema));
    const query: [string, string][] = [];
    const fault = pick(['none', 'none', 'none', 'value', 'unknown', 'repeated', 'missing'] as const);
    const target = pick(params.filter((p) => p.in !== 'header'));
    if (target && fault === 'value') values.set(target, invalid(target.schema));
    if (target && fault === 'missing') values.delete(target);
    let url = path;
    for (const [p, v] of values) {
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(v));
      else query.push([p.name, v]);
    }
    url = url.replace(/\{\w+\}/g, '0');
    if (fault === 'unknown') query.push(['unexpected', '1']);
    if (fault === 'repeated' && query.length) query.push(pick(query));
    const search = new URLSearchParams(query).toString();
    url = search ? `${url}?${search}` : url;
    const headers: Record<string, string> = {};
    const init: RequestInit = { method: method.toUpperCase(), headers };
    if (op.requestBody) {
      const b = body(op.requestBody.content);
      headers['Content-Type'] = b.type;
      init.body = b.bytes;
    }
    return { method, url, init };
  }

  const resolve = (s: Schema) => (s.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);

  it('meets no 5xx and no status, content type or error shape the document leaves out', { timeout: 600_000 }, async () => {
    const outcomes = new Map<string, Set<number>>();
    const slowest: [ms: number, request: string][] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const etags = new Map<string, string>(); // URL → ETag, for this operation
        const seen = new Set<number>();
        outcomes.set(`${method.toUpperCase()} ${path}`, seen);
        for (let i = 0; i < REQUESTS_PER_OPERATION; i++) {
          const { url, init } = generate(path, method, op, etags);
          const started = performance.now();
          const res = await mf.dispatchFetch(`http://localhost${url}`, init as never);
          const bytes = new Uint8Array(await res.arrayBuffer());
          slowest.push([performance.now() - started, `${init.method} ${url}`]);
          const what = `${init.method} ${url} → ${res.status} ${new TextDecoder().decode(bytes.slice(0, 200))}`;
          seen.add(res.status);
          expect(res.status, what).toBeLessThan(500);
          const documented = op.responses[String(res.status)];
          expect(documented, `undocumented status: ${what}`).toBeDefined();
          const type = res.headers.get('content-type')?.split(';')[0] ?? null;
          const types = Object.keys(documented.content ?? {});
          if (types.length === 0) expect(bytes.length, what).toBe(0);
          else expect(types, what).toContain(type);
          if (type === 'application/json' && res.status >= 400) {
            const error = resolve(documented.content![type].schema);
            const answer = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
            expect(Object.keys(answer).sort(), what).toEqual([...(error as { required: string[] }).required].sort());
            expect(error.properties!.error.enum, what).toContain(answer.error);
            expect(typeof answer.detail, what).toBe('string');
          }
          if (res.headers.get('etag')) etags.set(url, res.headers.get('etag')!);
        }
      }
    }
    console.log('slowest:', slowest.sort((a, b) => b[0] - a[0]).slice(0, 3).map(([ms, r]) => `${Math.round(ms)} ms ${r}`));
    console.log('fuzz statuses by operation:', Object.fromEntries([...outcomes].map(([k, v]) => [k, [...v].sort()])));
    // The generator reaches the routes' work, not only their refusals.
    for (const [operation, statuses] of outcomes) expect(statuses.has(200), operation).toBe(true);
    expect([...outcomes.values()].some((s) => s.has(304))).toBe(true);
    expect([...outcomes.values()].some((s) => s.has(415))).toBe(true);
  });
});
