/**
 * Makes exported weights servable: sets the manifest's name and sampling
 * defaults (chosen from an `npm run eval`), for a set served only up to some
 * step count its maxSteps (src/model/weight-sets.ts), and the noise interval it
 * guides in. The binary never changes.
 * Seeded answers are cached under their canonical URL, every parameter filled
 * in, so a new default changes no cached answer and keeps the weights version;
 * it changes what a URL that leaves the parameter out draws, from the next
 * deploy on. A new guidance interval changes what every URL draws, so it gives
 * the set a new version (and so new cache keys and ETags). A folder the Worker
 * serves is checked together with the other served sets, as the Worker will.
 *
 *   npm run set-sampling -- weights/few-step --name few-step --steps 2 --guidance 2.25 --sampler ddim --max-steps 2
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LIMITS } from '../src/limits';
import { SAMPLERS, type GuidanceInterval, type SamplerName } from '../src/model/sampler';
import { SERVED_SETS } from '../src/model/served-sets';
import { checkWeightSets } from '../src/model/weight-sets';
import { validateManifest, type Manifest } from '../src/model/weights';
import { exitOnHelp } from './cli/help';
import { writeAtomic } from './train/export';

const USAGE = `Usage: npm run set-sampling -- DIR [--name NAME] [--steps N] [--guidance W] [--sampler ddim|dpmpp] [--max-steps N | --any-steps]
                               [--guidance-interval A,B | --every-step]
  DIR            a weights folder (manifest.json + model.bin)
  --name         what the Worker calls the set (weights/few-step: few-step, weights: general)
  --steps, --guidance, --sampler   the defaults a request that leaves them out gets
  --max-steps N  serve this set only for requests of at most N steps; --any-steps removes the limit
  --guidance-interval A,B   guide only the steps with A·T ≤ t ≤ B·T, at every request's guidance
                 (plain conditional elsewhere); --every-step guides every step again. Either
                 changes what the set draws, so the set gets a new weights version`;

export interface SamplingChange {
  name?: string;
  defaultSteps?: number;
  defaultGuidance?: number;
  defaultSampler?: SamplerName;
  /** null: any step count. */
  maxSteps?: number | null;
  /** null: guide at every step. */
  guidanceInterval?: GuidanceInterval | null;
}

/**
 * The version of a set that draws with this interval, dated the day of the edit:
 * without one the export's hash (the binary's), else the hash of binary and
 * interval, so that no cache or ETag mixes pictures drawn with and without it.
 */
export function versionFor(manifest: Manifest, interval: GuidanceInterval | undefined, today: string): string {
  const hash = interval ? createHash('sha256').update(`${manifest.binary.sha256}\n${JSON.stringify(interval)}`).digest('hex') : manifest.binary.sha256;
  return `${today}-${hash.slice(0, 12)}`;
}

/** The manifest with the change applied, checked as the Worker checks it (throws WeightsError). */
export function withSampling(manifest: Manifest, change: SamplingChange, today = new Date().toISOString().slice(0, 10)): Manifest {
  const { name, maxSteps, guidanceInterval, ...defaults } = change;
  const given = Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== undefined));
  const sampling = { ...manifest.sampling, ...given };
  if (maxSteps === null) delete sampling.maxSteps;
  else if (maxSteps !== undefined) sampling.maxSteps = maxSteps;
  if (guidanceInterval === null) delete sampling.guidanceInterval;
  else if (guidanceInterval !== undefined) sampling.guidanceInterval = guidanceInterval;
  const redrawn = JSON.stringify(sampling.guidanceInterval) !== JSON.stringify(manifest.sampling.guidanceInterval);
  // name right after version, as export writes it; the rest keeps its order.
  const { format, version, name: _, ...rest } = manifest;
  return validateManifest({ format, version: redrawn ? versionFor(manifest, sampling.guidanceInterval, today) : version, name: name ?? manifest.name, ...rest, sampling });
}

function parse(argv: string[]): { dir: string; change: SamplingChange } {
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
    },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const number = (flag: string, raw: string | undefined, ok: (n: number) => boolean, what: string) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !ok(n)) throw new Error(`--${flag} must be ${what}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const integer = (n: number) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxSteps;
  if (values.sampler !== undefined && !SAMPLERS.includes(values.sampler as SamplerName)) throw new Error(`--sampler must be one of ${SAMPLERS.join(', ')}, got ${JSON.stringify(values.sampler)}`);
  if (values['max-steps'] !== undefined && values['any-steps']) throw new Error('--max-steps and --any-steps exclude each other');
  if (values['guidance-interval'] !== undefined && values['every-step']) throw new Error('--guidance-interval and --every-step exclude each other');
  return {
    dir: positionals[0],
    change: {
      name: values.name,
      defaultSteps: number('steps', values.steps, integer, `an integer from 1 to ${LIMITS.maxSteps}`),
      defaultGuidance: number('guidance', values.guidance, (n) => Number.isFinite(n) && n >= 0 && n <= LIMITS.maxGuidance, `a number from 0 to ${LIMITS.maxGuidance}`),
      defaultSampler: values.sampler as SamplerName | undefined,
      maxSteps: values['any-steps'] ? null : number('max-steps', values['max-steps'], integer, `an integer from 1 to ${LIMITS.maxSteps}`),
      guidanceInterval: values['every-step'] ? null : interval(values['guidance-interval']),
    },
  };
}

function interval(raw: string | undefined): GuidanceInterval | undefined {
  if (raw === undefined) return undefined;
  const [from, to, ...more] = raw.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (more.length || !(from >= 0 && from < to && to <= 1)) throw new Error(`--guidance-interval must be two fractions A,B with 0 ≤ A < B ≤ 1, got ${JSON.stringify(raw)}`);
  return { from, to };
}

function main(): void {
  const { dir, change } = parse(process.argv.slice(2));
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
