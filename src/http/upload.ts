/**
 * An uploaded PNG (and, for inpainting, a mask PNG) from a request body: a raw
 * `image/png` body, or `multipart/form-data` with file fields. Size caps hold
 * while reading: a Content-Length over the cap is refused before a byte is read,
 * and a body without one is cut off as soon as it passes the cap, so no request
 * can make the isolate buffer more than a few MiB. So do deadlines: a body that
 * stalls, or trickles in for too long, is answered 408 and dropped, so a client
 * cannot hold requests (and their buffers) open by sending slowly.
 */
import type { Context } from 'hono';
import { ApiError } from '../errors';

/** Each PNG: 1 MiB, ample for 1024×1024 drawings (what decode.ts accepts). */
export const MAX_PNG_BYTES = 1 << 20;
/** A form: two PNGs plus boundaries and part headers. */
const MAX_FORM_BYTES = 2 * MAX_PNG_BYTES + (64 << 10);
/**
 * Parts a form may have before it is refused unparsed. A 2 MiB form of 20 000
 * tiny parts took workerd's formData() 0.75 s; counting boundaries takes a scan.
 * Well above the two fields, so a form with a stray part or two still gets the
 * error that names the stray field.
 */
const MAX_FORM_PARTS = 8;
/** Silence allowed between two pieces of a body: a client that is still sending sends more often. */
export const BODY_IDLE_MS = 5_000;
/** The whole body: the largest form (2 MiB) at 1 Mbit/s takes about 17 s. */
export const BODY_TOTAL_MS = 30_000;

export type UploadField = 'image' | 'mask';
export type Upload = { image: Uint8Array } & Partial<Record<UploadField, Uint8Array>>;

/** A picture to try the routes on: one this API draws (any PNG up to the limits will do). */
const EXAMPLE_PICTURE = '/digit/3.png?seed=7&size=112';

/** The request body as the OpenAPI document describes it. */
export function uploadBody(fields: readonly UploadField[]) {
  const png = { type: 'string' as const, contentMediaType: 'image/png' };
  return {
    required: true,
    description: `A PNG of at most ${MAX_PNG_BYTES} bytes and 1024×1024 pixels, any colour type and bit depth: the body itself, or file fields of a form (${fields.join(', ')}).`,
    content: {
      'image/png': {
        schema: png,
        examples: { drawn: { summary: 'a 3 this API drew, 112 px', externalValue: EXAMPLE_PICTURE } },
      },
      'multipart/form-data': {
        schema: {
          type: 'object' as const,
          properties: Object.fromEntries(fields.map((f) => [f, { ...png, description: f === 'mask' ? 'white = redraw, black or transparent = keep; the picture’s size' : 'the picture' }])),
          required: ['image'],
          additionalProperties: false,
        },
        encoding: Object.fromEntries(fields.map((f) => [f, { contentType: 'image/png' }])),
        examples: {
          form: {
            summary: `curl ${fields.map((f) => `-F ${f}=@${f}.png`).join(' ')}`,
            description: `Files as form fields: ${fields.map((f) => `${f}.png`).join(' and ')}${fields.includes('mask') ? ' (white where the picture is redrawn)' : ''}. ${EXAMPLE_PICTURE} is a picture to start from.`,
            value: Object.fromEntries(fields.map((f) => [f, `(the bytes of ${f}.png)`])),
          },
        },
      },
    },
  };
}

export async function readUpload(c: Context, fields: readonly UploadField[]): Promise<Upload> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'image/png') return { image: nonEmpty(await readCapped(c.req.raw, MAX_PNG_BYTES, 'the image'), 'the body') };
  if (type === 'multipart/form-data') return readForm(c.req.raw, fields);
  throw new ApiError(415, 'unsupported_media_type', `send Content-Type image/png (the PNG as the body) or multipart/form-data (file fields: ${fields.join(', ')}); got ${JSON.stringify(type || 'none')}`);
}

async function readForm(req: Request, fields: readonly UploadField[]): Promise<Upload> {
  const body = nonEmpty(await readCapped(req, MAX_FORM_BYTES, 'the form'), 'the body');
  const parts = countParts(body, req.headers.get('Content-Type')!);
  if (parts > MAX_FORM_PARTS) throw new ApiError(400, 'invalid_body', `the form has ${parts} parts; at most ${MAX_FORM_PARTS} are read, and only the file fields ${fields.join(', ')} are allowed`);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'Content-Type': req.headers.get('Content-Type')! } }).formData();
  } catch {
    throw new ApiError(400, 'invalid_body', 'the multipart/form-data body could not be parsed (is the boundary right?)');
  }
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => entries.push([name, value]));
  const files: Partial<Record<UploadField, Uint8Array>> = {};
  for (const [name, value] of entries) {
    const field = name as UploadField;
    if (!fields.includes(field)) throw new ApiError(400, 'invalid_body', `unknown form field ${JSON.stringify(name)}; allowed: ${fields.join(', ')}`);
    if (files[field]) throw new ApiError(400, 'invalid_body', `form field ${name} is given more than once`);
    if (typeof value === 'string') throw new ApiError(400, 'invalid_body', `form field ${name} must be a file (a PNG), not text`);
    if (value.size > MAX_PNG_BYTES) throw tooLarge(`the ${name} file`, MAX_PNG_BYTES);
    files[field] = nonEmpty(new Uint8Array(await value.arrayBuffer()), `the ${name} file`);
  }
  if (!files.image) throw new ApiError(400, 'invalid_body', 'the form has no image field; send the PNG as a file field named image');
  return files as Upload;
}

/** Delimiters in a multipart body (an upper bound on its parts); 0 when the Content-Type names no boundary. */
function countParts(body: Uint8Array, contentType: string): number {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return 0;
  // latin1 maps byte for byte, so the search runs on a string of the same length.
  const text = new TextDecoder('latin1').decode(body);
  let count = 0;
  for (let at = text.indexOf(`--${boundary}`); at !== -1; at = text.indexOf(`--${boundary}`, at + boundary.length + 2)) count++;
  return count;
}

async function readCapped(req: Request, cap: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(req.headers.get('Content-Length')) > cap) throw tooLarge(what, cap);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const deadline = Date.now() + BODY_TOTAL_MS;
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (let chunk = await nextPiece(reader, deadline, total); !chunk.done; chunk = await nextPiece(reader, deadline, total)) {
      total += chunk.value.byteLength;
      if (total > cap) throw tooLarge(what, cap);
      parts.push(chunk.value);
    }
  } catch (err) {
    // Whatever was read is dropped with `parts`; cancelling stops workerd reading the rest.
    await reader.cancel().catch(() => {});
    throw err instanceof ApiError ? err : new ApiError(400, 'invalid_body', 'the request body could not be read');
  }
  const out = new Uint8Array(total);
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

/**
 * Reads and drops the body of a request refused before its upload was read (a wrong
 * Content-Type, a bad query, no budget). A client still sending it would otherwise meet a
 * reset connection instead of the refusal, as workerd closes a connection whose request body
 * is left unread. Bounded like reading: a body declared over the form's cap stays unread, no
 * more than the cap is read, and the deadlines hold.
 */
export async function drainUnread(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed || Number(req.headers.get('Content-Length')) > MAX_FORM_BYTES) return;
  await readCapped(req, MAX_FORM_BYTES, 'the body').catch(() => {});
}

/** The body's next piece, or a 408 once it has been silent for BODY_IDLE_MS or the deadline has passed. */
async function nextPiece(reader: ReadableStreamDefaultReader<Uint8Array>, deadline: number, received: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  const left = deadline - Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const why = left <= BODY_IDLE_MS ? `was not complete after ${BODY_TOTAL_MS / 1000} s` : `stalled: nothing arrived for ${BODY_IDLE_MS / 1000} s`;
      reject(new ApiError(408, 'request_timeout', `the request body ${why} (${received} bytes received); send the whole body at once`));
    }, Math.max(0, Math.min(BODY_IDLE_MS, left)));
  });
  try {
    return await Promise.race([reader.read(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

function nonEmpty<T extends Uint8Array>(bytes: T, what: string): T {
  if (!bytes.length) throw new ApiError(400, 'empty_body', `${what} is empty; send a PNG`);
  return bytes;
}

function tooLarge(what: string, cap: number): ApiError {
  return new ApiError(413, 'body_too_large', `${what} is larger than ${cap} bytes (${cap / 1024} KiB), the most accepted`);
}
