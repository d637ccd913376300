/**
 * The weight sets this project serves, in serving order (the plain sets fewest
 * steps first, then the set that draws every request in a hand:
 * src/model/weight-sets.ts): one list for the Worker (runtime.ts, which adds the
 * bundled binaries), the browser client (client/model.ts) and its build
 * (scripts/build-client.ts), so the three route requests alike.
 */
import fewStepManifest from '../../weights/few-step/manifest.json';
import handManifest from '../../weights/hand/manifest.json';
import generalManifest from '../../weights/manifest.json';
import { weightSetFor } from './weight-sets';
import type { Manifest } from './weights';

export interface ServedSet {
  /** The weights folder, from the repository root. */
  dir: string;
  /** As bundled, not yet validated: enough to route a request; loadWeights checks it in full. */
  manifest: Manifest;
}

export const SERVED_SETS: readonly ServedSet[] = [
  { dir: 'weights/few-step', manifest: fewStepManifest as unknown as Manifest },
  { dir: 'weights', manifest: generalManifest as unknown as Manifest },
  { dir: 'weights/hand', manifest: handManifest as unknown as Manifest },
];

/** Every bundled manifest, in serving order. */
export function servedManifests(): Manifest[] {
  return SERVED_SETS.map((set) => set.manifest);
}

/** The default request's manifest, without loading anything: the OpenAPI document states its defaults. */
export function defaultRequestManifest(): Manifest {
  return weightSetFor(SERVED_SETS, undefined).manifest;
}
