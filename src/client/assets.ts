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
  /** Each weight set's binary, by its manifest's `name`; checked against that manifest's sha256 before use. */
  weights: Record<string, string>;
}

/** One served file: a wasm binary, or the weights of the set with this manifest name. */
export type ClientFile = Exclude<keyof ClientFiles, 'weights'> | { weights: string };

/** Replaced by esbuild's `define` with the hashed names of this build. */
declare const CLIENT_FILES: ClientFiles;

export function assetUrl(file: ClientFile): URL {
  if (typeof file === 'string') return new URL(CLIENT_FILES[file], import.meta.url);
  const name = CLIENT_FILES.weights[file.weights];
  // Only a build that copied other weights than the manifests client.js bundles gets here.
  if (name === undefined) throw new Error(`drawDigit: this build serves no weights named ${JSON.stringify(file.weights)}`);
  return new URL(name, import.meta.url);
}

export async function fetchAsset(file: ClientFile): Promise<Response> {
  const url = assetUrl(file);
  const res = await fetch(url).catch((err: Error) => {
    throw new Error(`drawDigit: could not load ${url}: ${err.message}`);
  });
  if (!res.ok) throw new Error(`drawDigit: could not load ${url}: ${res.status} ${res.statusText}`);
  return res;
}
