/**
 * An uploaded PNG (and, for inpainting, a mask PNG) from a request body: a raw
 * `image/png` body, or `multipart/form-data` with file fields. Size caps hold
 * while reading: a Content-Length over the cap is refused before a byte is read,
 * and a body without one is cut off as soon as it passes the cap, so no request
 * can make the isolate buffer more than a few MiB.
 */
import type { Context } from 'hono';
import { ApiError } from '../errors';

/** Each PNG: 1 MiB, ample for 1024×1024 drawings (what decode.ts accepts). */
const MAX_PNG_BYTES = 1 << 20;
/** A form: two PNGs plus boundaries and part headers. */
const MAX_FORM_BYTES = 2 * MAX_PNG_BYTES + (64 << 10);
/**
 * Parts a form may have before it is refused unparsed. A 2 MiB form of 20 000
 * tiny parts took workerd's formData() 0.75 s; counting boundaries takes a scan.
 * Well above the two fields, so a form with a stray part or two still gets the
 * error that names the stray field.
 */
const MAX_FORM_PARTS = 8;

export type UploadField = 'image' | 'mask';
export type Upload = { image: Uint8Array } & Partial<Record<UploadField, Uint8Array>>;

/** The request body as the OpenAPI document describes it. */
export function uploadBody(fields: readonly UploadField[]) {
  const png = { type: 'string' as const, contentMediaType: 'image/png' };
  return {
    required: true,
    description: `A PNG of at most ${MAX_PNG_BYTES} bytes and 1024×1024 pixels, any colour type and bit depth: the body itself, or file fields of a form (${fields.join(', ')}).`,
    content: {
      'image/png': { schema: png },
      'multipart/form-data': {
        schema: {
          type: 'object' as const,
          properties: Object.fromEntries(fields.map((f) => [f, { ...png, description: f === 'mask' ? 'white = redraw, black or transparent = keep; the picture’s size' : 'the picture' }])),
          required: ['image'],
          additionalProperties: false,
        },
        encoding: Object.fromEntries(fields.map((f) => [f, { contentType: 'image/png' }])),
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
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      total += chunk.value.byteLength;
      if (total > cap) break;
      parts.push(chunk.value);
    }
  } catch {
    throw new ApiError(400, 'invalid_body', 'the request body could not be read');
  }
  if (total > cap) {
    await reader.cancel().catch(() => {});
    throw tooLarge(what, cap);
  }
  const out = new Uint8Array(total);
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

function nonEmpty<T extends Uint8Array>(bytes: T, what: string): T {
  if (!bytes.length) throw new ApiError(400, 'empty_body', `${what} is empty; send a PNG`);
  return bytes;
}

function tooLarge(what: string, cap: number): ApiError {
  return new ApiError(413, 'body_too_large', `${what} is larger than ${cap} bytes (${cap / 1024} KiB), the most accepted`);
}
