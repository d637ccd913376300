/**
 * The static files (dist/client/, built by scripts/build-client.ts): the browser
 * client's GET /client.js, /draw-worker.js and /client/<hashed name> (its wasm
 * binaries and weights), and Swagger UI's /swagger-ui/<version>/… for GET /docs. wrangler.toml runs the Worker before its static
 * assets (run_worker_first), so these pass through the app: they carry its
 * CORS headers, a preflight on them is answered as on any route, and another
 * method gets the API's 405. The bytes, their caching (the _headers file) and
 * ETag revalidation are the ASSETS binding's.
 */
import { Hono } from 'hono';
import { ApiError } from '../errors';
import type { AppEnv } from '../http/metrics';
import { conditional, documented, TAGS } from '../http/openapi';

/**
 * The paths the static files are served at (the client's, and Swagger UI's for GET /docs);
 * src/index.ts answers other methods on them with 405.
 */
export const STATIC_PATHS = ['/client.js', '/draw-worker.js', '/client/*', '/swagger-ui/*'] as const;

const script = (path: string, summary: string, description: string) =>
  documented({
    method: 'get',
    path,
    tags: [TAGS.client.name],
    summary,
    description,
    request: { headers: conditional },
    responses: {
      200: {
        description: 'the module; revalidated after 5 minutes (the files it loads have content hashes in their names and are cached for good)',
        headers: { ETag: { description: 'for If-None-Match', schema: { type: 'string' as const } } },
        content: { 'text/javascript': { schema: { type: 'string' as const } } },
      },
      304: { description: 'If-None-Match matches: the client’s copy is current' },
    },
  });

script(
  '/client.js',
  'The browser client',
  'An ES module for your page: `import { drawDigit } from "<this API>/client.js"`, then `await drawDigit({ digit: 5, seed: 42 })` draws on the visitor’s own CPU, with the Worker’s model code, weights and WASM kernels, the same pixels GET /digit/{digit}.png returns for the same parameters. `onStep` receives every step’s frame. It loads its WASM binary and weights from this API (CORS-enabled). Jobs the API refuses as over_budget can be drawn this way.',
);
script(
  '/draw-worker.js',
  'The drawing thread',
  'A module Web Worker that runs drawDigit from ./client.js off the page’s main thread and posts each step’s frame as it is computed (the demo page uses it). `new Worker()` takes same-origin URLs only; another origin can import it from a same-origin module or a blob: URL, which CORS allows.',
);

export const staticRoutes = new Hono<AppEnv>();

for (const path of STATIC_PATHS) {
  staticRoutes.get(path, async (c) => {
    const file = await c.env.ASSETS.fetch(c.req.raw);
    if (file.status === 404) throw new ApiError(404, 'not_found', `no such file ${new URL(c.req.url).pathname}; the browser client is GET /client.js`);
    // An answer from a binding has immutable headers: the app's middleware adds CORS to a copy.
    return new Response(file.body, file);
  });
}
