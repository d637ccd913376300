/**
 * Swagger UI for GET /docs, served from this Worker's own static assets: the
 * release in node_modules/swagger-ui-dist (a devDependency) is copied into
 * dist/client/ by scripts/build-client.ts, so the reference page makes no
 * request to any other origin and works offline or behind a strict network.
 */
import swaggerUiDist from 'swagger-ui-dist/package.json';

export const SWAGGER_UI_VERSION: string = swaggerUiDist.version;

/**
 * Where the files are served: @hono/swagger-ui asks `<baseUrl>/swagger-ui-dist/<file>` when given no
 * version. The version sits in the base rather than as `swagger-ui-dist@<version>`, the middleware's
 * CDN form, because the static-assets router redirects an `@` in a path to `%40`. The version in the
 * path lets the files be cached forever.
 */
export const SWAGGER_UI_BASE = `/swagger-ui/${SWAGGER_UI_VERSION}`;

/** That folder in dist/client/. */
export const SWAGGER_UI_FOLDER = `${SWAGGER_UI_BASE.slice(1)}/swagger-ui-dist`;

/** The files the page loads from that folder. */
export const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;
