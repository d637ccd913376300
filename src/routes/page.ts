/** GET / — the demo page (src/page/page.ts): one static HTML document; its local mode imports /client.js. */
import { Hono } from 'hono';
import { PAGE_HTML } from '../page/page';

export const pageRoutes = new Hono();

pageRoutes.get('/', (c) =>
  c.html(PAGE_HTML, 200, {
    'Cache-Control': 'public, max-age=300',
    // Everything the page loads comes from this Worker: its inline script and style, /client.js and
    // /draw-worker.js (static assets); 'wasm-unsafe-eval' lets them compile tfjs's WebAssembly.
    'Content-Security-Policy':
      "default-src 'none'; img-src 'self' blob: data:; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'",
  }),
);
