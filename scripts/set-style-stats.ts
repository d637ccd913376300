/**
 * Writes the training digits' style statistics (percentiles of slant and
 * thickness, and their correlation: src/model/style-prior.ts) into a weights
 * folder's manifest, as provenance.styleOfTrainingData. Training writes them
 * itself (scripts/train/finish.ts); this brings an existing export up to date
 * without training again. Nothing else in the manifest changes, and the binary
 * not at all, so the weights version stays. Only a set with style inputs takes them.
 *
 *   npm run set-style-stats -- weights weights/few-step
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest, type Manifest } from '../src/model/weights';
import { exitOnHelp } from './cli/help';
import { writeAtomic } from './train/export';
import { loadMnist } from './train/mnist';
import { measureStyles, styleRanges } from './train/trainer';

const USAGE = `Usage: npm run set-style-stats -- DIR [DIR...]
  DIR   a weights folder (manifest.json + model.bin) whose network has style inputs
Measures slant and thickness of MNIST's 60 000 training digits (about a minute) and writes
their percentiles and correlation into each DIR/manifest.json (provenance.styleOfTrainingData).`;

function main(dirs: string[]): void {
  if (!dirs.length) throw new Error(USAGE);
  const manifests = dirs.map((dir) => {
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    if (!manifest.architecture.styleFeatures) throw new Error(`${file} (${manifest.version}) has no style inputs: its network cannot draw a style`);
    return { file, manifest };
  });
  console.log('measuring the style of every MNIST training digit…');
  const stats = styleRanges(measureStyles(loadMnist('train')));
  console.log(`slant ${JSON.stringify(stats.slant)}\nthickness ${JSON.stringify(stats.thickness)}\ncorrelation of their normal scores ${stats.correlation}`);
  for (const { file, manifest } of manifests) {
    const after = validateManifest({ ...manifest, provenance: { ...manifest.provenance, styleOfTrainingData: stats } });
    writeAtomic(file, JSON.stringify(after, null, 1) + '\n');
    console.log(`${file} (${after.version}): styleOfTrainingData written`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  exitOnHelp(USAGE);
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
