/** The instruments and metric settings eval and its frontier share. */
import { UsageError, type EvalArgs } from './args';
import { loadClassifier } from './classifier-weights';
import type { ScoreSettings } from './space-scores';
import type { Instruments } from './spaces';

/** Both classifiers, each checked against its manifest: the selection one from --classifier, the reporting one from --reporting-classifier. */
export function loadInstruments(args: Pick<EvalArgs, 'classifierDir' | 'reportingClassifierDir'>) {
  const selection = loadClassifier(args.classifierDir);
  const reporting = loadClassifier(args.reportingClassifierDir);
  if (selection.manifest.binary.sha256 === reporting.manifest.binary.sha256) throw new UsageError('the selection and reporting classifiers are the same weights: reporting needs its own instrument');
  const instruments: Instruments = { selection, reporting };
  return { instruments, manifests: { selection: selection.manifest, reporting: reporting.manifest } };
}

/** --bootstrap, --kid-subsets, --kid-subset-size and --k, with resampling seeded from --seed. */
export function scoreSettings(args: EvalArgs): ScoreSettings {
  return { bootstrap: args.bootstrap, kidSubsets: args.kidSubsets, kidSubsetSize: args.kidSubsetSize, k: args.k, seed: args.seed ^ 0xb007 };
}
