/** The API's one error shape: `{ "error": "<code>", "detail": "<what was wrong and what is allowed>" }`. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const ERROR_CODES = [
  'invalid_digit',
  'invalid_parameter',
  'unknown_parameter',
  'repeated_parameter',
  'over_budget',
  'unsupported_media_type',
  'empty_body',
  'invalid_body',
  'body_too_large',
  'request_timeout',
  'not_png',
  'invalid_image',
  'image_too_large',
  'invalid_mask',
  'blank_image',
  'style_unavailable',
  'not_found',
  'method_not_allowed',
  'rate_limited',
  'model_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A client error raised while validating a request; `app.onError` turns it into JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, detail: string, headers: Record<string, string> = {}): Response {
  return c.json({ error: code, detail }, status, { 'Cache-Control': 'no-store', ...headers });
}
