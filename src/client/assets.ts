/**
 * The client's binaries: files served beside client.js from the Worker's static
 * assets, named by content hash at build time (scripts/build-client.ts) so they
 * can be cached forever. They are resolved against the module's own URL, so a
 * page on another origin still loads them from the Worker's origin (CORS allows it).
 */
export interface ClientFiles {
  /** tfjs-backend-wasm's SIMD binary: the one the Worker runs. */
  simdWasm: string;
  /** The plain binary, for browsers without WebAssembly SIMD. */
  plainWasm: string;
  /** weights/model.bin, checked against the manifest's sha256 before use. */
  weights: string;
}

/** Replaced by esbuild's `define` with the hashed names of this build. */
declare const CLIENT_FILES: ClientFiles;

export function assetUrl(name: keyof ClientFiles): URL {
  return new URL(CLIENT_FILES[name], import.meta.url);
}

export async function fetchAsset(name: keyof ClientFiles): Promise<Response> {
  const url = assetUrl(name);
  const res = await fetch(url).catch((err: Error) => {
    throw new Error(`drawDigit: could not load ${url}: ${err.message}`);
  });
  if (!res.ok) throw new Error(`drawDigit: could not load ${url}: ${res.status} ${res.statusText}`);
  return res;
}
