/**
 * The Worker: a Hono app that logs every request, answers CORS, mounts the
 * route families (the browser client's static files among them) and their
 * OpenAPI document, and maps every failure to one JSON error shape.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { ApiError, errorResponse } from './errors';
import { logRequests } from './http/log';
import type { AppEnv } from './http/metrics';
import { ModelUnavailableError } from './model/runtime';
import { digitRoutes } from './routes/digit';
import { mountDocs } from './routes/docs';
import { editRoutes } from './routes/edit';
import { imitateRoutes } from './routes/imitate';
import { modelRoutes } from './routes/model';
import { numberRoutes } from './routes/number';
import { pageRoutes } from './routes/page';
import { sheetRoutes } from './routes/sheet';
import { STATIC_PATHS, staticRoutes } from './routes/static';

const app = new Hono<AppEnv>();

app.use(logRequests);
// A public API without credentials: any page may call it, and read what it says about the answer.
app.use(
  cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposeHeaders: ['ETag', 'X-Seed', 'X-Style', 'X-Style-Measured', 'X-Cache', 'X-Weights-Version', 'Content-Location', 'Server-Timing', 'Retry-After', 'Allow'],
    maxAge: 86400,
  }),
);
// Lets pages on other origins read Server-Timing through the Resource Timing API too.
app.use(async (c, next) => {
  await next();
  c.header('Timing-Allow-Origin', '*');
});

app.route('/', pageRoutes);
app.route('/', digitRoutes);
app.route('/', sheetRoutes);
app.route('/', numberRoutes);
app.route('/', editRoutes);
app.route('/', imitateRoutes);
app.route('/', modelRoutes);
app.route('/', staticRoutes);
mountDocs(app);

// Known paths with another method: 405 with Allow, not 404.
const ALLOWED: [string, string][] = [
  ['/', 'GET, HEAD'],
  ['/digit/:file', 'GET, HEAD'],
  ['/sheet.png', 'GET, HEAD'],
  ['/number/:file', 'GET, HEAD'],
  ['/model', 'GET, HEAD'],
  ['/healthz', 'GET, HEAD'],
  ['/openapi.json', 'GET, HEAD'],
  ['/docs', 'GET, HEAD'],
  ['/inpaint', 'POST'],
  ['/restyle', 'POST'],
  ['/imitate', 'POST'],
  ...STATIC_PATHS.map((path): [string, string] => [path, 'GET, HEAD']),
];
for (const [path, allow] of ALLOWED) {
  app.all(path, (c) => errorResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${new URL(c.req.url).pathname}; use ${allow.split(',')[0]}`, { Allow: allow }));
}

app.notFound((c) => errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}; GET /docs lists every route`));

app.onError((err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.detail, err.headers);
  if (err instanceof ModelUnavailableError) {
    return errorResponse(c, 503, 'model_unavailable', 'the model weights failed to load on this server; nothing was generated', { 'Retry-After': '60' });
  }
  console.error(`unexpected error on ${c.req.method} ${c.req.url}:`, err);
  return errorResponse(c, 500, 'internal_error', 'an unexpected error occurred; it has been logged');
});

export default app;
