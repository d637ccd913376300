/** GET / — the demo page (src/page/page.ts): one static HTML document, no build step. */
import { Hono } from 'hono';
import { PAGE_HTML } from '../page/page';

export const pageRoutes = new Hono();

pageRoutes.get('/', (c) =>
  c.html(PAGE_HTML, 200, {
    'Cache-Control': 'public, max-age=300',
    // Everything the page loads comes from this Worker; its script and style are inline.
    'Content-Security-Policy': "default-src 'none'; img-src 'self' blob: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'",
  }),
);
