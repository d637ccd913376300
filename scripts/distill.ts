/**
 * Distils the served teacher into a narrower student that needs one network
 * row per step at any guidance scale, and exports it as int8 weights.
 *
 *   npm run distill -- [flags]        tfjs WASM SIMD on the CPU
 *   npm run distill:gpu -- [flags]    WebGPU (Dawn/Vulkan)
 *
 * Two compressions in one run:
 *  - guidance distillation (Meng et al. 2023): the target is the teacher's
 *    classifier-free-guided v at a random scale w, which the student gets as input;
 *  - knowledge distillation into fewer channels, starting from the teacher
 *    pruned to the student's width by filter L1 norm (scripts/compress/prune.ts).
 * Same loop as training (scripts/train/run.ts): checkpoints, exact --resume,
 * held-out loss (against the teacher) and a sample sheet per epoch.
 */
import type { UNetConfig } from '../src/model/unet';
import { startingWeights } from './compress/prune';
import { DISTILL_USAGE, parseDistillArgs, type DistillArgs } from './distill/args';
import { loadShippedModel } from './eval/models';
import { initBackend } from './train/backend';
import { exportTrained } from './train/finish';
import { heldOutLoss } from './train/held-out';
import { loadMnist } from './train/mnist';
import { UsageError } from './train/args';
import { limit, runMain, runTraining } from './train/run';
import { LOSS_WEIGHT_FORMULA, Trainer } from './train/trainer';

runMain('distill', DISTILL_USAGE, async () => {
  const args = parseDistillArgs(process.argv.slice(2));
  const backend = await initBackend(args.backend, { allowSoftwareGpu: args.allowSoftwareGpu, threads: args.threads });
  console.log(`backend: ${backend.name} (${backend.device})`);
  const teacher = await loadShippedModel(args.teacher);
  const student: UNetConfig = {
    ...teacher.unet,
    channels: args.channels,
    guidanceFeatures: args.guidanceFeatures,
    ...(args.fewSteps.length ? { stepFeatures: args.stepFeatures, distilledSteps: args.fewSteps } : {}),
    // A student takes style inputs when its teacher does (or when asked to).
    ...(args.styleFeatures ? { styleFeatures: args.styleFeatures } : {}),
  };
  console.log(`teacher: ${args.teacher} (version ${teacher.manifest.version}, channels ${teacher.unet.channels.join('/')})`);
  const plainTeacher = args.plainTeacher ? await loadShippedModel(args.plainTeacher) : undefined;
  if (plainTeacher) {
    if (plainTeacher.unet.styleFeatures) throw new UsageError(`--plain-teacher ${args.plainTeacher} takes style inputs; it should be a teacher without them`);
    if (!teacher.unet.styleFeatures) throw new UsageError(`--plain-teacher needs a --teacher with style inputs (${args.teacher} has none)`);
    console.log(`examples given no style: distilled from ${args.plainTeacher} (version ${plainTeacher.manifest.version})`);
  }
  if (args.fewSteps.length) console.log(`step distillation: ${args.fewSteps.join(', ')}-step DDIM, each step learning from two of the student's own`);

  const start = args.initFrom ? await loadShippedModel(args.initFrom) : teacher;
  const init = args.init === 'prune' ? await startingWeights(start, student) : undefined;
  const test = loadMnist('test');
  const trainer = new Trainer(args.recipe, student, teacher.schedule, limit(loadMnist('train'), args.limit), { teacher, plainTeacher, init, emphasis: args.emphasis });
  // Only where given, so earlier runs' checkpoints still resume.
  const plainFacts = plainTeacher ? { plainTeacher: { version: plainTeacher.manifest.version, weights: args.plainTeacher } } : {};
  const identity = { teacher: teacher.manifest.version, init: args.init, initFrom: start.manifest.version, ...emphasisFacts(args), ...plainFacts };
  await runTraining({
    trainer,
    args,
    backend,
    identity,
    // Held-out digits are given no style, so the plain teacher is their reference where there is one.
    heldOut: (model) => heldOutLoss(model, test, 512, plainTeacher ?? teacher),
    exportWeights: (facts) =>
      exportTrained(trainer, facts, {
        script: 'scripts/distill.ts',
        provenance: { distilledFrom: { version: teacher.manifest.version, channels: teacher.unet.channels, weights: args.teacher }, init: args.init, initFrom: { version: start.manifest.version, weights: args.initFrom ?? args.teacher }, ...emphasisFacts(args), ...plainFacts },
      }),
  });
});

/** The emphasis flags, only where given (so earlier runs' checkpoints still resume). */
function emphasisFacts({ emphasis }: DistillArgs) {
  return {
    ...(emphasis.guidanceFocus !== null ? { guidanceFocus: emphasis.guidanceFocus } : {}),
    ...(emphasis.stepWeights.length ? { stepWeights: emphasis.stepWeights } : {}),
    ...(emphasis.smallStepShare !== null ? { smallStepShare: emphasis.smallStepShare } : {}),
    ...(emphasis.guidanceLossWeight ? { guidanceLossWeight: LOSS_WEIGHT_FORMULA } : {}),
    ...(emphasis.emaTargets ? { emaTargets: true } : {}),
    ...(emphasis.backgroundLoss ? { backgroundLoss: emphasis.backgroundLoss } : {}),
    ...(emphasis.ringWeight ? { ringWeight: emphasis.ringWeight } : {}),
    ...(emphasis.guidanceSlope ? { guidanceSlope: emphasis.guidanceSlope } : {}),
    ...(emphasis.styleOnly ? { styleOnly: true } : {}),
  };
}
