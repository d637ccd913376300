/**
 * Structured channel pruning: a narrower network made from a wider one's most
 * important channels (Li et al., "Pruning Filters for Efficient ConvNets", 2017).
 *
 * A channel's importance is the L1 norm of the filters that write it, each
 * tensor's norms divided by their mean so that no one layer dominates. Channels
 * come in sets that must be kept or dropped together: the residual stream of
 * each resolution (written by the stem or the down/up convs and by every
 * block's second conv, read by everything at that resolution) and the inner
 * channels of each residual block. The kept channels stay in their order.
 *
 * Used twice: to start a distilled student from its teacher (a good start
 * distils far faster than a random one) and to prune a trained student.
 *
 * The same map widens a network (Net2Net's function-preserving start, Chen et
 * al. 2016, with fresh filters instead of copies): every channel is kept and
 * the new ones follow. Whatever reads a new channel starts at zero, so the
 * wider network computes exactly what the narrower one did; whatever writes
 * one starts random (He-scaled), so the new channels carry signal and their
 * readers get gradients from the first step.
 * Conditioning inputs the source lacks (the guidance features of a student made
 * from a teacher without them, the style features of a teacher extended with
 * style) are filled with zeros, so the new inputs start with no effect.
 */
import { Rng } from '../../src/model/rng';
import type { Model } from '../../src/model/sampler';
import { embedInputs, paramSpecs, type ParamSpec, type UNetConfig } from '../../src/model/unet';

type Weights = Record<string, Float32Array>;

const BLOCK_LEVELS: Record<string, number> = { enc0: 0, enc1: 1, mid: 2, dec1: 1, dec0: 0 };

/** The channel set each axis of a parameter is indexed by (null: not a channel axis). */
function axisSets(spec: ParamSpec): (string | null)[] {
  const [layer, part] = spec.name.split('.');
  const level = (l: number) => `level${l}`;
  const block = BLOCK_LEVELS[layer];
  let input: string | null = null;
  let output: string | null = null;
  if (layer === 'stem') output = level(0);
  else if (layer === 'out') input = level(0);
  else if (layer === 'down0') [input, output] = [level(0), level(1)];
  else if (layer === 'down1') [input, output] = [level(1), level(2)];
  else if (layer === 'up1') [input, output] = [level(2), level(1)];
  else if (layer === 'up0') [input, output] = [level(1), level(0)];
  else if (block !== undefined && part === 'emb') output = level(block);
  else if (block !== undefined && part === 'conv1') [input, output] = [level(block), `${layer}.inner`];
  else if (block !== undefined && part === 'conv2') [input, output] = [`${layer}.inner`, level(block)];
  const sets: (string | null)[] = spec.shape.map(() => null);
  sets[sets.length - 1] = output;
  if (spec.shape.length === 4) sets[2] = input;
  return sets;
}

/** Importance per channel of every channel set, from the filters that write each channel. */
function channelScores(weights: Weights, cfg: UNetConfig): Map<string, Float64Array> {
  const scores = new Map<string, Float64Array>();
  for (const spec of paramSpecs(cfg)) {
    const set = axisSets(spec).at(-1);
    if (!set || spec.kind !== 'conv') continue;
    const channels = spec.shape.at(-1)!;
    const norms = new Float64Array(channels);
    weights[spec.name].forEach((v, i) => (norms[i % channels] += Math.abs(v)));
    const mean = norms.reduce((a, b) => a + b, 0) / channels || 1;
    const total = scores.get(set) ?? new Float64Array(channels);
    norms.forEach((n, c) => (total[c] += n / mean));
    scores.set(set, total);
  }
  return scores;
}

/** Indices of the `count` highest scores, in ascending index order. */
function topChannels(scores: Float64Array, count: number): number[] {
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, count).sort((a, b) => a - b);
}

/** Seed of the new channels' filters when a network is widened: the same start every time. */
const WIDEN_SEED = 2016;

/**
 * `weights` of network `from`, cut down or widened to network `to` (same
 * layout). Returns the weights and the channels kept per set (-1: a new channel).
 */
export function pruneToWidth(weights: Weights, from: UNetConfig, to: UNetConfig): { weights: Weights; kept: Record<string, number[]> } {
  const fromSpecs = new Map(paramSpecs(from).map((s) => [s.name, s]));
  const scores = channelScores(weights, from);
  const widths: Record<string, number> = {};
  to.channels.forEach((c, l) => (widths[`level${l}`] = c));
  for (const [block, level] of Object.entries(BLOCK_LEVELS)) widths[`${block}.inner`] = to.channels[level];
  const kept: Record<string, number[]> = {};
  for (const [set, s] of scores) {
    const added = widths[set] - s.length;
    kept[set] = added > 0 ? [...s.keys(), ...new Array<number>(added).fill(-1)] : topChannels(s, widths[set]);
  }
  const rng = new Rng(WIDEN_SEED);
  const out: Weights = {};
  for (const spec of paramSpecs(to)) {
    const source = fromSpecs.get(spec.name);
    if (!source) throw new Error(`prune: ${spec.name} has no counterpart in the source network`);
    // Per axis: the source index each target index reads, or -1 for a zero-filled new entry.
    const index = axisSets(spec).map((set, axis) =>
      set ? kept[set] : spec.name === 'embed1.w' && axis === 0 ? embedInputRows(from, to) : Array.from({ length: spec.shape[axis] }, (_, i) => (i < source.shape[axis] ? i : -1)),
    );
    out[spec.name] = gather(weights[spec.name], source.shape, index);
    if (spec.kind === 'conv' || spec.kind === 'dense') seedNewFilters(out[spec.name], spec, index.at(-1)!, rng);
  }
  return { weights: out, kept };
}

/**
 * The filters that write new output channels (index -1), drawn He-scaled,
 * N(0, 2 / fan-in). gather left everything that reads a new channel at zero.
 */
function seedNewFilters(values: Float32Array, spec: ParamSpec, outputs: number[], rng: Rng): void {
  const channels = spec.shape.at(-1)!;
  const fresh = outputs.flatMap((source, c) => (source < 0 ? [c] : []));
  if (!fresh.length) return;
  const scale = Math.sqrt(2 / (values.length / channels));
  for (let row = 0; row < values.length; row += channels) for (const c of fresh) values[row + c] = scale * rng.normal();
}

/** For each of `to`'s embed1 input rows, the row of `from` with the same feature, or -1. */
function embedInputRows(from: UNetConfig, to: UNetConfig): number[] {
  const offsets = new Map<string, { start: number; width: number }>();
  let start = 0;
  for (const { part, width } of embedInputs(from)) {
    offsets.set(part, { start, width });
    start += width;
  }
  return embedInputs(to).flatMap(({ part, width }) => {
    const source = offsets.get(part);
    if (source && source.width !== width) throw new Error(`prune: the ${part} features are ${source.width} wide in the source, ${width} in the target`);
    return Array.from({ length: width }, (_, i) => (source ? source.start + i : -1));
  });
}

/** A model's weights as the starting point of network `to`: its strongest channels (copied at the same width), new inputs at zero. */
export async function startingWeights(start: Model, to: UNetConfig): Promise<Weights> {
  const values: Weights = {};
  for (const spec of paramSpecs(start.unet)) values[spec.name] = (await start.params[spec.name].data()) as Float32Array;
  const { weights } = pruneToWidth(values, start.unet, to);
  const [from, into] = [start.unet.channels, to.channels];
  const how = from.join() === into.join() ? 'copied' : into.every((c, l) => c >= from[l]) ? `widened to ${into.join('/')}, new channels unread at first` : `pruned to ${into.join('/')} by filter L1 norm`;
  console.log(`init: ${from.join('/')} ${how}`);
  return weights;
}

/** Row-major sub-array: element [i0, i1, …] = values[index[0][i0], index[1][i1], …] (0 where an index is -1). */
function gather(values: Float32Array, shape: number[], index: number[][]): Float32Array {
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, d) => p * d, 1));
  const out = new Float32Array(index.reduce((n, ix) => n * ix.length, 1));
  let k = 0;
  const walk = (axis: number, offset: number): void => {
    for (const i of index[axis]) {
      if (axis === index.length - 1) out[k++] = i < 0 || offset < 0 ? 0 : values[offset + i];
      else walk(axis + 1, i < 0 || offset < 0 ? -1 : offset + i * strides[axis]);
    }
  };
  walk(0, 0);
  return out;
}
