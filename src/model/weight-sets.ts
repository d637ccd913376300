/**
 * Which weights draw a request. The Worker (and the browser client) serve
 * more than one weight set, each a weights folder with its own manifest,
 * ordered from the fewest steps up:
 *
 *  - few-step (weights/few-step/): a wider student, step-distilled for 1-2
 *    steps, cheap at those counts only. Its defaults are the default request's.
 *  - general (weights/): the narrow student that takes any step count.
 *
 * A request goes to the first set whose `sampling.maxSteps` admits its steps;
 * a request without `steps` goes to the first set, with that set's defaults,
 * unless it is drawn in a hand (a slant or thickness, a number, an imitation)
 * and a set carries `sampling.styledDefault`: then to that set, at its defaults.
 * `steps` keeps meaning network calls whichever set answers.
 */
import { LIMITS } from '../limits';
import { samplingAt, type GuidanceAt } from './sampling-defaults';
import { WeightsError, type Manifest } from './weights';

/** Anything that carries a manifest: the Worker's loaded models, the client's, the bundled manifests alone. */
export interface WithManifest {
  manifest: Pick<Manifest, 'sampling' | 'version' | 'name'>;
}

/** The set that draws a request of `steps` (undefined: none named), `inHand` when it is drawn in a given or drawn hand. */
export function weightSetFor<T extends WithManifest>(sets: readonly T[], steps: number | undefined, inHand = false): T {
  if (steps === undefined) return (inHand && sets.find((s) => s.manifest.sampling.styledDefault)) || sets[0];
  const set = sets.find((s) => steps <= (s.manifest.sampling.maxSteps ?? Infinity));
  // Only sets that fail checkWeightSets leave a count unserved.
  if (!set) throw new WeightsError(`no weight set draws ${steps} steps`);
  return set;
}

/** Refuses sets that would leave a step count unserved, a set unreachable or two sets alike (WeightsError: the bundle is wrong). */
export function checkWeightSets(sets: readonly WithManifest[]): void {
  if (!sets.length) throw new WeightsError('no weight sets');
  sets.forEach(({ manifest }, i) => {
    const twin = sets.findIndex((other) => other.manifest.name === manifest.name || other.manifest.version === manifest.version);
    if (twin !== i) throw new WeightsError(`weight sets ${twin} and ${i} share a name or a version (${manifest.name}, ${manifest.version})`);
    const last = i === sets.length - 1;
    const maxSteps = manifest.sampling.maxSteps;
    if (!manifest.name) throw new WeightsError(`weight set ${i} (${manifest.version}) has no name`);
    if (last && maxSteps !== undefined) throw new WeightsError(`the last weight set, ${manifest.name}, must take any step count, not at most ${maxSteps}`);
    if (!last && maxSteps === undefined) throw new WeightsError(`weight set ${manifest.name} takes any step count, so the sets after it would never serve`);
    const before = sets[i - 1]?.manifest.sampling.maxSteps ?? 0;
    if (maxSteps !== undefined && maxSteps <= before) throw new WeightsError(`weight set ${manifest.name}'s maxSteps ${maxSteps} must exceed the previous set's ${before}`);
    if (maxSteps !== undefined && maxSteps >= LIMITS.maxSteps) throw new WeightsError(`weight set ${manifest.name}'s maxSteps ${maxSteps} leaves the sets after it no step count below the API's ${LIMITS.maxSteps}`);
  });
  const styledDefaults = sets.filter((s) => s.manifest.sampling.styledDefault).map((s) => s.manifest.name);
  if (styledDefaults.length > 1) throw new WeightsError(`weight sets ${styledDefaults.join(' and ')} both take the styled default (sampling.styledDefault): one may`);
  const styled = sets.find((s) => s.manifest.sampling.styledDefault);
  // Naming its default steps must draw what naming none does.
  if (styled && weightSetFor(sets, styled.manifest.sampling.defaultSteps) !== styled) {
    throw new WeightsError(`weight set ${styled.manifest.name} takes the styled default at ${styled.manifest.sampling.defaultSteps} steps, a count another set serves`);
  }
}

/** The first and last step count each set serves, e.g. [[1, 2], [3, 100]]: for /model and the docs. */
export function stepRanges(manifests: readonly Pick<Manifest, 'sampling'>[]): [number, number][] {
  return manifests.map((m, i) => [(manifests[i - 1]?.sampling.maxSteps ?? 0) + 1, m.sampling.maxSteps ?? LIMITS.maxSteps]);
}

/** The guidance of a run of `steps` steps (the first and last of a span), from the set `weightSet`. */
export interface GuidanceSpan extends GuidanceAt {
  weightSet: string;
  steps: [number, number];
}

/** The guidance every step count gets, in spans: each set's range, split where its long runs start (samplingAt). */
export function guidanceBySteps(manifests: readonly Pick<Manifest, 'name' | 'sampling'>[]): GuidanceSpan[] {
  return stepRanges(manifests).flatMap(([first, last], i) => {
    const { name, sampling } = manifests[i];
    const from = sampling.longRuns?.fromSteps;
    const spans: [number, number][] = from !== undefined && first < from && from <= last ? [[first, from - 1], [from, last]] : [[first, last]];
    return spans.map((steps) => ({ weightSet: name!, steps, ...samplingAt(sampling, steps[0]) }));
  });
}
