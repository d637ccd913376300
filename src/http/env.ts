/** The Worker's bindings, as wrangler.toml declares them (scripts/build/worker-options.ts gives workerd the same). */
export interface Env {
  /** [assets]: the browser client's files (dist/client/), served through the app so they carry CORS (src/routes/static.ts). */
  ASSETS: Fetcher;
  /** [[ratelimits]]: uncached drawing per client (src/http/rate-limit.ts); without it nothing is limited. */
  GENERATION_LIMIT?: RateLimit;
  /** [vars]: that limit's period in seconds, which a 429 sends as Retry-After. */
  GENERATION_LIMIT_PERIOD?: number;
}
