/**
 * Which weights draw a request. The Worker (and the browser client) serve
 * more than one weight set, each a weights folder with its own manifest.
 * The plain sets are ordered from the fewest steps up:
 *
 *  - few-step (weights/few-step/): a wider student, step-distilled for 1-2
 *    steps, cheap at those counts only. Its defaults are the default request's.
 *  - general (weights/): the narrow student that takes any step count.
 *
 * A plain request goes to the first plain set whose `sampling.maxSteps` admits
 * its steps, or to the first one, at its defaults, when it names none.
 *
 * A request drawn in a hand (a slant or thickness, a number, an imitation)
 * goes to the set that carries `sampling.hand`, whatever its steps, at that
 * set's defaults when it names none:
 *
 *  - hand (weights/hand/): a wider student that learned the style with every
 *    weight, which the plain sets cannot without losing realism
 *    (reports/hand/RULE.md). It draws no plain request.
 *
 * Without a hand set, a request in a hand is routed as a plain one.
 * `steps` keeps meaning network calls whichever set answers.
 */
import { LIMITS } from '../limits';
import { samplingAt, type GuidanceAt } from './sampling-defaults';
import { WeightsError, type Manifest } from './weights';

/** Anything that carries a manifest: the Worker's loaded models, the client's, the bundled manifests alone. */
export interface WithManifest {
  manifest: Pick<Manifest, 'sampling' | 'version' | 'name'>;
}

const isHand = (s: WithManifest) => s.manifest.sampling.hand === true;

/** The set that draws a request of `steps` (undefined: none named), `inHand` when it is drawn in a given or drawn hand. */
export function weightSetFor<T extends WithManifest>(sets: readonly T[], steps: number | undefined, inHand = false): T {
  const hand = inHand ? sets.find(isHand) : undefined;
  if (hand) return hand;
  // Per request: the plain sets are found in place, without a filtered copy.
  const set = sets.find((s) => !isHand(s) && (steps === undefined || steps <= (s.manifest.sampling.maxSteps ?? Infinity)));
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
    if (!manifest.name) throw new WeightsError(`weight set ${i} (${manifest.version}) has no name`);
  });
  const hands = sets.filter(isHand);
  if (hands.length > 1) throw new WeightsError(`weight sets ${hands.map((s) => s.manifest.name).join(' and ')} both draw the requests in a hand (sampling.hand): one may`);
  if (hands[0]?.manifest.sampling.maxSteps !== undefined) throw new WeightsError(`weight set ${hands[0].manifest.name} draws every request in a hand, so it must take any step count, not at most ${hands[0].manifest.sampling.maxSteps}`);
  const plain = sets.filter((s) => !isHand(s));
  if (!plain.length) throw new WeightsError('no weight set draws plain requests: every set is a hand set');
  plain.forEach(({ manifest }, i) => {
    const last = i === plain.length - 1;
    const maxSteps = manifest.sampling.maxSteps;
    if (last && maxSteps !== undefined) throw new WeightsError(`the last weight set, ${manifest.name}, must take any step count, not at most ${maxSteps}`);
    if (!last && maxSteps === undefined) throw new WeightsError(`weight set ${manifest.name} takes any step count, so the sets after it would never serve`);
    const before = plain[i - 1]?.manifest.sampling.maxSteps ?? 0;
    if (maxSteps !== undefined && maxSteps <= before) throw new WeightsError(`weight set ${manifest.name}'s maxSteps ${maxSteps} must exceed the previous set's ${before}`);
    if (maxSteps !== undefined && maxSteps >= LIMITS.maxSteps) throw new WeightsError(`weight set ${manifest.name}'s maxSteps ${maxSteps} leaves the sets after it no step count below the API's ${LIMITS.maxSteps}`);
  });
}

/**
 * The first and last step count each set serves, e.g. [[1, 2], [3, 100]]: for /model and the docs.
 * A hand set serves every count (of the requests in a hand); the plain sets split them.
 */
export function stepRanges(manifests: readonly Pick<Manifest, 'sampling'>[]): [number, number][] {
  let before = 0;
  return manifests.map(({ sampling }) => {
    if (sampling.hand) return [1, LIMITS.maxSteps];
    const range: [number, number] = [before + 1, sampling.maxSteps ?? LIMITS.maxSteps];
    before = range[1];
    return range;
  });
}

/** The guidance of a run of `steps` steps (the first and last of a span), from the set `weightSet`. */
export interface GuidanceSpan extends GuidanceAt {
  weightSet: string;
  steps: [number, number];
  /** The span is of the set that draws the requests in a hand (sampling.hand), and of no plain request. */
  hand?: true;
}

/** The guidance every step count gets, in spans: each set's range, split where its long runs start (samplingAt). */
export function guidanceBySteps(manifests: readonly Pick<Manifest, 'name' | 'sampling'>[]): GuidanceSpan[] {
  return stepRanges(manifests).flatMap(([first, last], i) => {
    const { name, sampling } = manifests[i];
    const from = sampling.longRuns?.fromSteps;
    const spans: [number, number][] = from !== undefined && first < from && from <= last ? [[first, from - 1], [from, last]] : [[first, last]];
    return spans.map((steps) => ({ weightSet: name!, steps, ...(sampling.hand ? { hand: true as const } : {}), ...samplingAt(sampling, steps[0]) }));
  });
}
