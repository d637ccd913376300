/**
 * Deadlines on request bodies, against workerd's own socket with a raw TCP
 * client that sends less than it declares: a body that falls silent for 5 s,
 * or is still arriving after 30 s, is answered 408 in the API's JSON error
 * shape and the connection is closed, so a slow client holds neither a
 * request nor its buffer. Other requests are served meanwhile. A body refused
 * before it was read (wrong type, bad query) is read and dropped first, so a
 * client still sending it gets the refusal rather than a reset connection.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledWorkerOptions } from '../scripts/build/worker-options';
import { SIGNATURE } from './helpers/png';
import { BUNDLE_DIR } from './helpers/worker';

let mf: Miniflare;
let port: number;
beforeAll(async () => {
  mf = new Miniflare({ ...bundledWorkerOptions(BUNDLE_DIR), host: '127.0.0.1', port: 0, handleRuntimeStdio: (out: Readable, err: Readable) => (out.resume(), err.resume()) });
  port = Number((await mf.ready).port);
});
afterAll(() => mf.dispose());

interface Stalled {
  /** The raw answer: status line, headers, body. */
  answer: string;
  /** Seconds from the last byte sent to the server closing the connection. */
  closedAfterS: number;
}

/**
 * Sends `head` and then `pieces` of the body, one every `everyMs`, never the
 * rest it declared; resolves when the server closes the connection.
 */
function sendSlowly(head: string, pieces: Uint8Array[], everyMs = 0): Promise<Stalled> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let lastSent = performance.now();
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterS: (performance.now() - lastSent) / 1000 });
    });
    socket.on('connect', () => {
      socket.write(head);
      const next = (i: number) => {
        if (i >= pieces.length || socket.destroyed) return;
        socket.write(pieces[i]);
        lastSent = performance.now();
        timer = setTimeout(() => next(i + 1), everyMs);
      };
      next(0);
    });
  });
}

function expectTimeout({ answer }: Stalled, detail: RegExp): void {
  const [head, body] = answer.split('\r\n\r\n');
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  expect(head).toMatch(/^content-type: application\/json/im);
  expect(head).toMatch(/^access-control-allow-origin: \*/im);
  const error = JSON.parse(body) as { error: string; detail: string };
  expect(error.error).toBe('request_timeout');
  expect(error.detail).toMatch(detail);
}

it('answers an upload that stops after 8 of its 5000 bytes with 408 once it has been silent 5 s, and closes it', { timeout: 60_000 }, async () => {
  const stalled = sendSlowly('POST /restyle?to=3&strength=0.5 HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n', [SIGNATURE]);
  // The isolate is free meanwhile: the stalled request is waiting on the network, not holding the CPU.
  await new Promise((r) => setTimeout(r, 500));
  expect((await mf.dispatchFetch('http://localhost/healthz')).status).toBe(200);
  const answer = await stalled;
  expectTimeout(answer, /^the request body stalled: nothing arrived for 5 s \(8 bytes received\)/);
  console.log(`408 and close ${answer.closedAfterS.toFixed(2)} s after the last byte`);
  expect(answer.closedAfterS).toBeGreaterThanOrEqual(5);
  expect(answer.closedAfterS).toBeLessThan(20);
});

it('does the same to a form, and to a chunked body that never ends', { timeout: 60_000 }, async () => {
  const form = await sendSlowly('POST /inpaint?digit=3&mask=0,0,9,9 HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 900\r\n\r\n', [new TextEncoder().encode('--x\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n')]);
  expectTimeout(form, /stalled: nothing arrived for 5 s \(\d+ bytes received\)/);
  const chunked = await sendSlowly('POST /restyle?to=3&strength=0.5 HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n', [new TextEncoder().encode('8\r\n'), new Uint8Array([...SIGNATURE, 13, 10])]);
  expectTimeout(chunked, /stalled: nothing arrived for 5 s \(8 bytes received\)/);
});

it('answers a body that trickles in, one byte every 4 s, with 408 at 30 s', { timeout: 90_000 }, async () => {
  const trickle = await sendSlowly('POST /restyle?to=3&strength=0.5 HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n', Array.from({ length: 20 }, (_, i) => SIGNATURE.subarray(i % 8, (i % 8) + 1)), 4000);
  expectTimeout(trickle, /^the request body was not complete after 30 s \(\d bytes received\)/);
});

it.each([
  ['a wrong Content-Type', 'POST /restyle?to=3&strength=0.5', 'text/plain', '415 Unsupported Media Type', 'unsupported_media_type'],
  ['a bad query', 'POST /inpaint?digit=11&mask=0,0,9,9', 'image/png', '400 Bad Request', 'invalid_digit'],
])('answers an upload refused for %s only after reading it, so a client still sending gets the refusal, not a reset', { timeout: 60_000 }, async (_, request, type, status, code) => {
  const size = 1 << 20;
  const pieces = Array.from({ length: 16 }, () => new Uint8Array(size / 16));
  const { answer } = await sendSlowly(`${request} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, pieces, 20);
  const [head, body] = answer.split('\r\n\r\n');
  expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
  expect((JSON.parse(body) as { error: string }).error).toBe(code);
});
