/**
 * Trains the class-conditional diffusion model on MNIST and exports int8 weights.
 *
 *   npm run train:gpu -- [flags]   WebGPU (Dawn/Vulkan); refuses software adapters
 *   npm run train -- [flags]       the same on the CPU (tfjs WASM SIMD)
 *
 * A run folder (runs/<date-time>/) collects train.jsonl (loss, learning rate,
 * held-out loss), a sample sheet per epoch and checkpoint.ckpt; Ctrl-C saves a
 * checkpoint and `--resume` continues exactly where the run stopped.
 */
import { NoiseSchedule, DEFAULT_SCHEDULE } from '../src/model/schedule';
import { DEFAULT_UNET, type UNetConfig } from '../src/model/unet';
import { startingWeights } from './compress/prune';
import { loadShippedModel } from './eval/models';
import { parseTrainArgs, USAGE } from './train/args';
import { initBackend } from './train/backend';
import { exportTrained } from './train/finish';
import { heldOutLoss } from './train/held-out';
import { loadMnist } from './train/mnist';
import { limit, runMain, runTraining } from './train/run';
import { Trainer } from './train/trainer';

runMain('train', USAGE, async () => {
  const args = parseTrainArgs(process.argv.slice(2));
  const backend = await initBackend(args.backend, { allowSoftwareGpu: args.allowSoftwareGpu, threads: args.threads });
  console.log(`backend: ${backend.name} (${backend.device})`);
  const test = loadMnist('test');
  const unet: UNetConfig = { ...DEFAULT_UNET, channels: args.channels, ...(args.styleFeatures ? { styleFeatures: args.styleFeatures } : {}) };
  const start = args.initFrom ? await loadShippedModel(args.initFrom) : null;
  if (start) console.log(`starting from ${args.initFrom} (version ${start.manifest.version})`);
  const init = start ? await startingWeights(start, unet) : undefined;
  const trainer = new Trainer(args.recipe, unet, new NoiseSchedule(DEFAULT_SCHEDULE), limit(loadMnist('train'), args.limit), { init });
  await runTraining({
    trainer,
    args,
    backend,
    identity: start ? { initFrom: start.manifest.version } : {},
    heldOut: (model) => heldOutLoss(model, test, 512),
    exportWeights: (facts) =>
      exportTrained(trainer, facts, {
        script: 'scripts/train-gpu.ts',
        provenance: {
          ...(start ? { initFrom: { version: start.manifest.version, weights: args.initFrom } } : {}),
        },
      }),
  });
});
