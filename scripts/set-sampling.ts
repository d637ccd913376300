/**
 * Makes exported weights servable: sets the manifest's name and sampling
 * defaults (chosen from an `npm run eval`), for a set served only up to some
 * step count its maxSteps (src/model/weight-sets.ts), the noise interval it
 * guides in, other guidance for long runs (sampling.longRuns: src/model/sampling-defaults.ts),
 * and whether it is the set that draws every request in a hand (sampling.hand). The binary never changes.
 * Seeded answers are cached under their canonical URL, every parameter filled
 * in, so a new default changes no cached answer and keeps the weights version;
 * it changes what a URL that leaves the parameter out draws, from the next
 * deploy on. A new guidance interval, or a long-run entry that starts elsewhere or
 * guides in another interval, changes what URLs that name every parameter draw,
 * so it gives the set a new version (and so new cache keys and ETags); a new
 * long-run default guidance alone is a default like the others. A folder the Worker
 * serves is checked together with the other served sets, as the Worker will.
 *
 *   npm run set-sampling -- weights/few-step --name few-step --steps 2 --guidance 2.25 --sampler ddim --max-steps 2
 *   npm run set-sampling -- weights --long-runs 10:4.5:0.1,0.8
 *   npm run set-sampling -- weights/hand --name hand --steps 4 --guidance 3 --sampler dpmpp --hand
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIMITS } from '../src/limits';
import { SAMPLERS, type GuidanceInterval, type SamplerName } from '../src/model/sampler';
import type { LongRuns, SamplingDefaults } from '../src/model/sampling-defaults';
import { SERVED_SETS } from '../src/model/served-sets';
import { checkWeightSets } from '../src/model/weight-sets';
import { validateManifest, type Manifest } from '../src/model/weights';
import { exitOnHelp } from './cli/help';
import { writeAtomic } from './train/export';

const USAGE = `Usage: npm run set-sampling -- DIR [--name NAME] [--steps N] [--guidance W] [--sampler ddim|dpmpp] [--max-steps N | --any-steps]
                               [--guidance-interval A,B | --every-step] [--long-runs FROM:W[:A,B] | --no-long-runs]
                               [--hand | --no-hand]
  DIR            a weights folder (manifest.json + model.bin)
  --name         what the Worker calls the set (weights/few-step: few-step, weights: general)
  --steps, --guidance, --sampler   the defaults a request that leaves them out gets
  --max-steps N  serve this set only for requests of at most N steps; --any-steps removes the limit
  --guidance-interval A,B   guide only the steps with A·T ≤ t ≤ B·T, at every request's guidance
                 (plain conditional elsewhere); --every-step guides every step again. Either
                 changes what the set draws, so the set gets a new weights version
  --long-runs FROM:W[:A,B]  requests of FROM steps or more (FROM above --steps) default to guidance W
                 and guide only in A·T-B·T (without :A,B at every step), instead of the set's own
                 guidance and interval; replaces any earlier entry, --no-long-runs removes it.
                 A new FROM or A,B gives the set a new weights version, a new W alone does not
  --hand         this set draws every request in a given hand (slant or thickness, /number,
                 /imitate), at any step count and at its own defaults, and no plain request (one
                 set may; needs style inputs and no --max-steps); --no-hand makes it a plain set
                 again. No new version`;

export interface SamplingChange {
  name?: string;
  defaultSteps?: number;
  defaultGuidance?: number;
  defaultSampler?: SamplerName;
  /** null: any step count. */
  maxSteps?: number | null;
  /** null: guide at every step. */
  guidanceInterval?: GuidanceInterval | null;
  /** null: every step count gets the set's own guidance. */
  longRuns?: LongRuns | null;
  /** true: this set draws every request in a hand (and no plain one); null: it is a plain set. */
  hand?: true | null;
}

/**
 * What a set draws with beyond its binary, given every parameter: the interval of
 * each step count. Default guidance is left out: cache keys hold the filled-in
 * guidance, so a new default changes no cached answer (the file's head).
 */
function drawing({ guidanceInterval, longRuns }: SamplingDefaults): unknown[] {
  const band = (i: GuidanceInterval | undefined) => (i ? { from: i.from, to: i.to } : null);
  if (!longRuns) return guidanceInterval ? [band(guidanceInterval)] : [];
  return [band(guidanceInterval), { fromSteps: longRuns.fromSteps, guidanceInterval: band(longRuns.guidanceInterval) }];
}

/**
 * The version of a set with these sampling defaults, dated the day of the edit:
 * the export's hash (the binary's) when it draws as exported, else the hash of
 * the binary and what it draws with (drawing), so that no cache or ETag mixes
 * pictures drawn differently. A set with only an interval hashes as before
 * long runs existed.
 */
export function versionFor(manifest: Manifest, sampling: SamplingDefaults, today: string): string {
  const drawn = drawing(sampling);
  const hash = drawn.length ? createHash('sha256').update([manifest.binary.sha256, ...drawn.map((d) => JSON.stringify(d))].join('\n')).digest('hex') : manifest.binary.sha256;
  return `${today}-${hash.slice(0, 12)}`;
}

/** The manifest with the change applied, checked as the Worker checks it (throws WeightsError). */
export function withSampling(manifest: Manifest, change: SamplingChange, today = new Date().toISOString().slice(0, 10)): Manifest {
  const { name, maxSteps, guidanceInterval, longRuns, hand, ...defaults } = change;
  const given = Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined));
  const sampling: SamplingDefaults = { ...manifest.sampling, ...given };
  for (const [key, value] of [['maxSteps', maxSteps], ['guidanceInterval', guidanceInterval], ['longRuns', longRuns], ['hand', hand]] as const) {
    if (value === null) delete sampling[key];
    else if (value !== undefined) Object.assign(sampling, { [key]: value });
  }
  const redrawn = JSON.stringify(drawing(sampling)) !== JSON.stringify(drawing(manifest.sampling));
  // name right after version, as export writes it; the rest keeps its order.
  const { format, version, name: _, ...rest } = manifest;
  return validateManifest({ format, version: redrawn ? versionFor(manifest, sampling, today) : version, name: name ?? manifest.name, ...rest, sampling });
}

/** The folder and the change a command line asks for; throws an Error that names the flag. */
export function parseSetSampling(argv: string[]): { dir: string; change: SamplingChange } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      sampler: { type: 'string' },
      'max-steps': { type: 'string' },
      'any-steps': { type: 'boolean' },
      'guidance-interval': { type: 'string' },
      'every-step': { type: 'boolean' },
      'long-runs': { type: 'string' },
      'no-long-runs': { type: 'boolean' },
      hand: { type: 'boolean' },
      'no-hand': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  if (values.sampler !== undefined && !SAMPLERS.includes(values.sampler as SamplerName)) throw new Error(`--sampler must be one of ${SAMPLERS.join(', ')}, got ${JSON.stringify(values.sampler)}`);
  if (values['max-steps'] !== undefined && values['any-steps']) throw new Error('--max-steps and --any-steps exclude each other');
  if (values['guidance-interval'] !== undefined && values['every-step']) throw new Error('--guidance-interval and --every-step exclude each other');
  if (values['long-runs'] !== undefined && values['no-long-runs']) throw new Error('--long-runs and --no-long-runs exclude each other');
  if (values.hand && values['no-hand']) throw new Error('--hand and --no-hand exclude each other');
  return {
    dir: positionals[0],
    change: {
      name: values.name,
      defaultSteps: number('--steps', values.steps, isSteps, STEPS),
      defaultGuidance: number('--guidance', values.guidance, isGuidance, GUIDANCE),
      defaultSampler: values.sampler as SamplerName | undefined,
      maxSteps: values['any-steps'] ? null : number('--max-steps', values['max-steps'], isSteps, STEPS),
      guidanceInterval: values['every-step'] ? null : interval('--guidance-interval', values['guidance-interval']),
      longRuns: values['no-long-runs'] ? null : longRuns(values['long-runs']),
      hand: values['no-hand'] ? null : values.hand ? true : undefined,
    },
  };
}

const STEPS = `an integer from 1 to ${LIMITS.maxSteps}`;
const GUIDANCE = `a number from 0 to ${LIMITS.maxGuidance}`;
const isSteps = (n: number) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxSteps;
const isGuidance = (n: number) => Number.isFinite(n) && n >= 0 && n <= LIMITS.maxGuidance;

function number(what: string, raw: string | undefined, ok: (n: number) => boolean, allowed: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !ok(n)) throw new Error(`${what} must be ${allowed}, got ${JSON.stringify(raw)}`);
  return n;
}

function interval(what: string, raw: string | undefined): GuidanceInterval | undefined {
  if (raw === undefined) return undefined;
  const [from, to, ...more] = raw.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (more.length || !(from >= 0 && from < to && to <= 1)) throw new Error(`${what} must be two fractions A,B with 0 ≤ A < B ≤ 1, got ${JSON.stringify(raw)}`);
  return { from, to };
}

/** --long-runs FROM:W[:A,B]; that FROM lies above the set's defaultSteps is validateManifest's to say. */
function longRuns(raw: string | undefined): LongRuns | undefined {
  if (raw === undefined) return undefined;
  const [from, w, band, ...more] = raw.split(':');
  if (w === undefined || more.length) throw new Error(`--long-runs must be FROM:W or FROM:W:A,B (e.g. 10:4.5:0.1,0.8), got ${JSON.stringify(raw)}`);
  const guidanceInterval = interval('--long-runs A,B', band);
  return { fromSteps: number('--long-runs FROM', from, isSteps, STEPS)!, defaultGuidance: number('--long-runs W', w, isGuidance, GUIDANCE)!, ...(guidanceInterval ? { guidanceInterval } : {}) };
}

function main(): void {
  const { dir, change } = parseSetSampling(process.argv.slice(2));
  const file = path.join(dir, 'manifest.json');
  const before = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  const after = withSampling(before, change);
  // The bundle this edit makes, as the Worker would check it at start-up.
  const served = SERVED_SETS.map((set) => (path.resolve(set.dir) === path.resolve(dir) ? { ...set, manifest: after } : set));
  checkWeightSets(served);
  writeAtomic(file, JSON.stringify(after, null, 1) + '\n');
  console.log(`${file} (${after.version}): name ${after.name ?? '(none)'}, sampling ${JSON.stringify(before.sampling)} → ${JSON.stringify(after.sampling)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  exitOnHelp(USAGE);
  try {
    main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
