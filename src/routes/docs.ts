/**
 * GET /openapi.json — the API's OpenAPI 3.1 document, generated from the
 * routes' own schemas (src/params.ts, src/http/openapi.ts).
 * GET /docs — Swagger UI over that document. The Worker serves only the HTML;
 * Swagger UI's script and style are this Worker's static assets
 * (src/page/swagger-ui.ts), so the page asks no other origin for anything.
 */
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { swaggerUI } from '@hono/swagger-ui';
import type { Hono } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../http/metrics';
import { documented, registry, TAGS } from '../http/openapi';
import { LIMITS } from '../limits';
import { SWAGGER_UI_BASE } from '../page/swagger-ui';

/**
 * Everything from this origin. Swagger UI's start-up script is inline. validatorUrl
 * 'none': otherwise, on a host other than localhost, Swagger UI shows a badge image
 * from validator.swagger.io whenever the document cannot be loaded.
 */
const DOCS_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

const DESCRIPTION = `A class-conditional diffusion model drawing MNIST digits, per request, in a Cloudflare Worker.

Every error is JSON: \`{ "error": "<code>", "detail": "<what was wrong, what is allowed>" }\`. Unknown and repeated query parameters are refused, and numbers are read in JSON's number grammar only. Any path answers 404 \`not_found\` when no route matches, and a known path asked with another method answers 405 \`method_not_allowed\` with an \`Allow\` header. Every route and static file answers CORS preflights (OPTIONS) and sends \`Access-Control-Allow-Origin: *\`.

**Fair share.** One request may use an estimated ${LIMITS.requestBudgetMs} ms of CPU: larger sheets and animations are refused with 400 \`over_budget\` before anything is drawn, and /client.js draws them on your own CPU instead. Drawing is rate-limited per client where the deployment configures it: each request that draws costs one unit per ${LIMITS.rateUnitMs} ms of estimated CPU, and a client over its share gets 429 \`rate_limited\` with \`Retry-After\`. Answers from the cache and 304s are free. An upload that stalls gets 408 \`request_timeout\`.`;

const htmlPage = (path: string, summary: string, description: string) =>
  documented({ method: 'get', path, tags: [TAGS.reference.name], summary, description, responses: { 200: { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } });

// The demo page's module (src/routes/page.ts) has no contract of its own: it is described here.
htmlPage('/', 'The demo page', 'Pick a digit, steps, seed, guidance, sampler and a hand (slant, thickness); write a number in one hand; inpaint or restyle a picture.');
htmlPage('/docs', 'This reference', 'Swagger UI over GET /openapi.json.');
documented({
  method: 'get',
  path: '/openapi.json',
  tags: [TAGS.reference.name],
  summary: 'This API’s OpenAPI 3.1 document',
  responses: { 200: { description: 'the document', content: { 'application/json': { schema: z.looseObject({ openapi: z.literal('3.1.0') }) } } } },
});

let document: object | null = null;

/** Mounted last, so that every route module has registered its routes. */
export function mountDocs(app: Hono<AppEnv>): void {
  app.get('/openapi.json', (c) => {
    // The schemas do not change while the isolate lives: generate once.
    document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 'Edge diffusion digits', version: '1', description: DESCRIPTION }, tags: Object.values(TAGS) });
    return c.json(document, 200, { 'Cache-Control': 'public, max-age=300' });
  });
  // A same-origin baseUrl instead of the middleware's CDN: the copy in the static assets.
  const page = swaggerUI<AppEnv>({ url: '/openapi.json', baseUrl: SWAGGER_UI_BASE, validatorUrl: 'none', title: 'Edge diffusion digits: API reference' });
  app.get('/docs', async (c, next) => {
    c.header('Content-Security-Policy', DOCS_CSP);
    return page(c, next);
  });
}
