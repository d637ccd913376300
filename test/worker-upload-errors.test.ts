/** Bad input on the routes added for issue #5: always a 4xx in the API's error shape, never a 5xx or a dead isolate. */
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare, Response } from 'miniflare';
import { INFLATE_SLICE } from '../src/image/decode';
import { BOMB_DECLARED_BYTES, pngBomb } from './helpers/bomb';
import { startWorker } from './helpers/worker';
import { startWorkerWithLogs } from './helpers/worker-logs';
import { chunk, chunksOf, concat, greyPng, IEND, ihdr, multipart, SIGNATURE, type Bytes } from './helpers/png';

let mf: Miniflare;
beforeAll(() => {
  mf = startWorker();
});
afterAll(() => mf.dispose());

const fetchWorker = (path: string, init?: RequestInit) => mf.dispatchFetch(`http://localhost${path}`, init as never);

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; detail: string };
  expect(body.error, text).toBe(code);
  expect(body.detail.length).toBeGreaterThan(10);
  return body.detail;
}

const IMAGE = greyPng(40, 30, Array.from({ length: 1200 }, (_, i) => (i * 7) % 256));
const [, IDAT] = chunksOf(IMAGE);
const corrupt = IMAGE.slice();
corrupt[IDAT.start + 10] ^= 0x40;
const BOMB = concat([SIGNATURE, ihdr(60_000, 60_000, 8, 0), chunk('IDAT', zlib.deflateSync(new Uint8Array(4096))), IEND]);
const OVERSIZED = concat([IMAGE.subarray(0, IDAT.start), chunk('tEXt', new Uint8Array((1 << 20) + 10).fill(65)), IMAGE.subarray(IDAT.start)]);

type Case = [label: string, path: string, body: Bytes | string | null, contentType: string | null, status: number, code: string];
const png = 'image/png';
const form = (parts: Parameters<typeof multipart>[0]) => multipart(parts);
const f1 = form([{ name: 'image', filename: 'a.png', body: IMAGE }, { name: 'mask', filename: 'm.png', body: greyPng(41, 30, new Uint8Array(1230)) }]);
const f2 = form([{ name: 'mask', filename: 'm.png', body: IMAGE }]);
const f3 = form([{ name: 'image', body: 'not a file' }]);
const f4 = form([{ name: 'image', filename: 'a.png', body: IMAGE }, { name: 'extra', filename: 'b.png', body: IMAGE }]);
const f5 = form([{ name: 'image', filename: 'a.png', body: IMAGE }, { name: 'mask', filename: 'm.png', body: IMAGE }]);
const f6 = form([{ name: 'image', filename: 'a.png', body: BOMB }]);
const f7 = form([{ name: 'image', filename: 'a.png', body: new Uint8Array(0) }]);
const f8 = form([{ name: 'image', filename: 'a.png', body: IMAGE }, { name: 'mask', filename: 'm.png', body: 'GIF89a' }]);

const cases: Case[] = [];
for (const route of ['/inpaint?digit=3&mask=1,1,5,5&steps=1', '/restyle?to=3&strength=0.5&steps=1', '/imitate?digits=12&steps=1']) {
  cases.push(
    [`${route}: not a PNG`, route, 'GIF89a, honestly', png, 400, 'not_png'],
    [`${route}: truncated`, route, IMAGE.subarray(0, IMAGE.length - 20), png, 400, 'invalid_image'],
    [`${route}: corrupt (CRC)`, route, corrupt, png, 400, 'invalid_image'],
    [`${route}: decompression bomb`, route, BOMB, png, 413, 'image_too_large'],
    [`${route}: body over 1 MiB`, route, OVERSIZED, png, 413, 'body_too_large'],
    [`${route}: empty body`, route, null, png, 400, 'empty_body'],
    [`${route}: wrong content type`, route, IMAGE, 'image/jpeg', 415, 'unsupported_media_type'],
    [`${route}: no content type`, route, IMAGE, null, 415, 'unsupported_media_type'],
    [`${route}: form without image`, route, f2.body, f2.contentType, 400, 'invalid_body'],
    [`${route}: image as text`, route, f3.body, f3.contentType, 400, 'invalid_body'],
    [`${route}: unknown field`, route, f4.body, f4.contentType, 400, 'invalid_body'],
    [`${route}: bomb in a form`, route, f6.body, f6.contentType, 413, 'image_too_large'],
    [`${route}: empty file`, route, f7.body, f7.contentType, 400, 'empty_body'],
    [`${route}: broken boundary`, route, f5.body, 'multipart/form-data; boundary=nope', 400, 'invalid_body'],
    [`${route}: unknown parameter`, `${route}&colour=red`, IMAGE, png, 400, 'unknown_parameter'],
    [`${route}: steps out of range`, `${route.replace('steps=1', 'steps=0')}`, IMAGE, png, 400, 'invalid_parameter'],
    [`${route}: repeated parameter`, `${route}&steps=2`, IMAGE, png, 400, 'repeated_parameter'],
  );
}
cases.push(
  ['inpaint: mask size mismatch', '/inpaint?digit=3', f1.body, f1.contentType, 400, 'invalid_mask'],
  ['inpaint: mask not a PNG', '/inpaint?digit=3', f8.body, f8.contentType, 400, 'not_png'],
  ['inpaint: mask twice', '/inpaint?digit=3&mask=0,0,4,4', f5.body, f5.contentType, 400, 'invalid_mask'],
  ['inpaint: no mask', '/inpaint?digit=3', IMAGE, png, 400, 'invalid_mask'],
  ['inpaint: rectangle leaves the image', '/inpaint?digit=3&mask=30,20,11,5', IMAGE, png, 400, 'invalid_mask'],
  ['inpaint: rectangle malformed', '/inpaint?digit=3&mask=1,2,3', IMAGE, png, 400, 'invalid_parameter'],
  ['inpaint: empty rectangle', '/inpaint?digit=3&mask=1,2,0,4', IMAGE, png, 400, 'invalid_parameter'],
  ['inpaint: no digit', '/inpaint?mask=1,1,5,5', IMAGE, png, 400, 'invalid_parameter'],
  ['inpaint: digit 10', '/inpaint?digit=10&mask=1,1,5,5', IMAGE, png, 400, 'invalid_digit'],
  ['inpaint: resample 11', '/inpaint?digit=3&mask=1,1,5,5&resample=11', IMAGE, png, 400, 'invalid_parameter'],
  ['inpaint: resample with dpmpp', '/inpaint?digit=3&mask=1,1,5,5&resample=2&sampler=dpmpp', IMAGE, png, 400, 'invalid_parameter'],
  ['inpaint: resample × steps over 100', '/inpaint?digit=3&mask=1,1,5,5&resample=5&steps=21', IMAGE, png, 400, 'invalid_parameter'],
  ['restyle: no target', '/restyle?strength=0.5', IMAGE, png, 400, 'invalid_parameter'],
  ['restyle: no strength', '/restyle?to=2', IMAGE, png, 400, 'invalid_parameter'],
  ['restyle: strength 1.5', '/restyle?to=2&strength=1.5', IMAGE, png, 400, 'invalid_parameter'],
  ['restyle: strength NaN', '/restyle?to=2&strength=NaN', IMAGE, png, 400, 'invalid_parameter'],
  ['restyle: target x', '/restyle?to=x&strength=0.5', IMAGE, png, 400, 'invalid_digit'],
  ['restyle: a mask field', '/restyle?to=2&strength=0.5', f5.body, f5.contentType, 400, 'invalid_body'],
);

describe('POST /inpaint, /restyle and /imitate reject bad uploads and parameters', () => {
  it.each(cases)('%s', async (_, path, body, contentType, status, code) => {
    await expectError(await fetchWorker(path, { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body: body ?? undefined }), status, code);
  });

  it('refuses a declared Content-Length over the cap without waiting for the body', async () => {
    // Over a raw socket: announce 5 MiB, send a few bytes, and the answer comes anyway.
    const url = await mf.ready;
    const socket = net.connect(Number(url.port), url.hostname);
    socket.write(`POST /restyle?to=1&strength=0.5 HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: ${5 << 20}\r\n\r\n`);
    socket.write(IMAGE.subarray(0, 100));
    const head = await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('}')) resolve(text);
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(text)}`)), 5000);
    });
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 413/);
    expect(head).toMatch(/"error":"body_too_large"/);
  });
});

describe('hostile uploads cost little: the work, as the request log reports it', () => {
  const logged = startWorkerWithLogs();
  afterAll(() => logged.mf.dispose());
  const post = (path: string, body: Bytes, contentType = png) => logged.request(path, { method: 'POST', headers: { 'Content-Type': contentType }, body });

  it('a PNG bomb (1000 MiB of zeros in a 1 MiB upload) is refused after inflating one slice past its 1024×1024 header', async () => {
    const bomb = pngBomb(1000);
    const maskBomb = multipart([{ name: 'image', filename: 'a.png', body: IMAGE }, { name: 'mask', filename: 'm.png', body: bomb }]);
    const uploads: [path: string, body: Bytes, contentType: string][] = [
      ['/restyle?to=1&strength=0.5', bomb, png],
      ['/inpaint?digit=1&mask=0,0,9,9', bomb, png],
      ['/inpaint?digit=1', maskBomb.body, maskBomb.contentType],
    ];
    for (const [path, body, contentType] of uploads) {
      const { res, body: answer, log } = await post(path, body, contentType);
      const error = JSON.parse(new TextDecoder().decode(answer)) as { error: string; detail: string };
      expect([res.status, error.error], error.detail).toEqual([400, 'invalid_image']);
      expect(error.detail).toMatch(/inflates to more than the 1049600 bytes its header implies/);
      // The 40×30 image of the form case inflates too (1230 bytes).
      expect(log.inflatedBytes).toBeGreaterThan(BOMB_DECLARED_BYTES);
      expect(log.inflatedBytes).toBeLessThanOrEqual(BOMB_DECLARED_BYTES + INFLATE_SLICE + 30 * 41);
      expect(log.phases.model).toBeUndefined();
    }
  });

  it('a form of 20 000 parts is refused before it is parsed', async () => {
    const form = multipart([{ name: 'image', filename: 'a.png', body: IMAGE }, ...Array.from({ length: 20_000 }, () => ({ name: 'image', body: 'x' }))]);
    const { res, body, log } = await post('/restyle?to=1&strength=0.5', form.body, form.contentType);
    const error = JSON.parse(new TextDecoder().decode(body)) as { error: string; detail: string };
    expect([res.status, error.error]).toEqual([400, 'invalid_body']);
    expect(error.detail).toMatch(/^the form has 20002 parts; at most 8 are read/);
    expect(log.inflatedBytes).toBeUndefined(); // not even the first image was looked at
  });

  it('a picture in 20 000 chunks is decoded once, no more', async () => {
    const [head, idat] = chunksOf(IMAGE);
    const padded = concat([IMAGE.subarray(0, head.end), ...Array.from({ length: 20_000 }, (_, i) => chunk(i % 2 ? 'IDAT' : 'tEXt', new Uint8Array(0))), IMAGE.subarray(idat.start)]);
    const { res, log } = await post('/restyle?to=1&strength=0&seed=1', padded);
    expect(res.status).toBe(200);
    expect(log.inflatedBytes).toBe(30 * 41);
  });
});

describe('GET routes reject bad parameters', () => {
  const gets: [string, number, string][] = [
    ['/digit/5.apng?size=1024&steps=10', 400, 'over_budget'],
    ['/digit/5.apng?size=200&steps=100', 400, 'over_budget'],
    // Within the frame memory, over the CPU ceiling (test/request-budget.test.ts prices both).
    ['/digit/5.apng?size=144&steps=100', 400, 'over_budget'],
    ['/sheet.png?digits=0123456789&seeds=16&steps=100', 400, 'over_budget'],
    ['/sheet.png?digits=0123456789&seeds=16&steps=9', 400, 'over_budget'],
    ['/digit/5.apng?steps=0', 400, 'invalid_parameter'],
    ['/digit/x.apng', 400, 'invalid_digit'],
    ['/digit/5.gif', 404, 'not_found'],
    ['/sheet.png?digits=abc', 400, 'invalid_parameter'],
    ['/sheet.png?digits=', 400, 'invalid_parameter'],
    ['/sheet.png?digits=01234567890', 400, 'invalid_parameter'],
    ['/sheet.png?seeds=0', 400, 'invalid_parameter'],
    ['/sheet.png?seeds=17', 400, 'invalid_parameter'],
    ['/sheet.png?size=129', 400, 'invalid_parameter'],
    ['/sheet.png?steps=101', 400, 'invalid_parameter'],
    ['/sheet.png?page=2', 400, 'unknown_parameter'],
  ];
  it.each(gets)('%s → %i %s', async (path, status, code) => {
    const detail = await expectError(await fetchWorker(path), status, code);
    // What is too big for one request is not too big for the caller's own CPU.
    if (code === 'over_budget') expect(detail).toContain('/client.js draws them on your own CPU');
  });

  it('lets the largest sheet under the ceiling through', async () => {
    const res = await fetchWorker('/sheet.png?digits=0123456789&seeds=16&steps=8&seed=1');
    expect(res.status, await res.clone().text().then((t) => t.slice(0, 200))).toBe(200);
    await res.arrayBuffer();
  });

  it('answers other methods with 405 and the right Allow', async () => {
    for (const [method, path, allow] of [
      ['GET', '/inpaint', 'POST'],
      ['PUT', '/restyle', 'POST'],
      ['GET', '/imitate', 'POST'],
      ['POST', '/sheet.png', 'GET, HEAD'],
      ['POST', '/digit/5.apng', 'GET, HEAD'],
      ['DELETE', '/', 'GET, HEAD'],
    ]) {
      const res = await fetchWorker(path, { method });
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      await expectError(res, 405, 'method_not_allowed');
    }
  });

  it('is still healthy afterwards', async () => {
    expect((await fetchWorker('/healthz')).status).toBe(200);
  });
});
