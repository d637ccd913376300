/**
 * The figures in the README and docs/ come from reports/*.json through this
 * script, never by hand: it fills every `<!-- npm run docs: NAME -->` block
 * (scripts/docs/blocks.ts) with block NAME's text. test/docs-figures.test.ts
 * fails when a file differs from what this script would write.
 *
 *   npm run docs              rewrite the blocks
 *   npm run docs -- --check   list the files whose blocks are stale; exit 1 if any
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnHelp } from './cli/help';
import { fillBlocks } from './docs/blocks';
import { frontierBlock } from './docs/frontier';
import { atAGlance, clientBinaries, planTable, widthsTable } from './docs/pages';
import { qualityHeadlines, qualitySetup, qualityTable, restyleTable } from './docs/quality';
import { loadReports, type Reports } from './docs/reports';
import { styleAtAGlance, styleBlock } from './docs/style';
import { httpTable, perDigitTable, speedHeadlines, speedSetup, startupAndSize, workerdTable } from './docs/speed';

const USAGE = `Usage: npm run docs [-- --check]
  Fills the generated blocks of README.md and docs/*.md (<!-- npm run docs: NAME -->) from
  reports/eval.json, frontier.json, style.json, bench.json and reports/widths/. Run it after npm run eval or bench.
  --check   write nothing; list the stale files and exit 1 if there are any`;

/** Every block, by name. To add a table: a function of the reports here, and its marker where it goes. */
export const BLOCKS: Record<string, (r: Reports) => string> = {
  'at-a-glance': atAGlance,
  'quality-frontier': (r) => frontierBlock(r.frontier),
  'quality-style': (r) => styleBlock(r.style),
  'style-at-a-glance': (r) => styleAtAGlance(r.style),
  'quality-setup': (r) => qualitySetup(r.eval),
  'quality-headlines': (r) => qualityHeadlines(r.eval),
  'quality-table': (r) => qualityTable(r.eval),
  'restyle-table': (r) => restyleTable(r.eval),
  'speed-setup': (r) => speedSetup(r.bench),
  'speed-headlines': (r) => speedHeadlines(r.bench),
  'per-digit-table': (r) => perDigitTable(r.bench),
  'workerd-table': (r) => workerdTable(r.bench),
  'http-table': (r) => httpTable(r.bench),
  'startup-and-size': (r) => startupAndSize(r.bench),
  'plan-table': planTable,
  'client-binaries': clientBinaries,
  'widths-table': widthsTable,
};

/** The README and every page of docs/. */
export function documentationFiles(): string[] {
  return ['README.md', ...fs.readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f))];
}

/** Each file as it is and as the reports say it should be. */
export function renderDocs(reports = loadReports()): { file: string; current: string; expected: string }[] {
  return documentationFiles().map((file) => {
    const current = fs.readFileSync(file, 'utf8');
    return { file, current, expected: fillBlocks(current, (name) => BLOCKS[name]?.(reports), file) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  exitOnHelp(USAGE);
  const check = process.argv.includes('--check');
  const stale = renderDocs().filter((d) => d.current !== d.expected);
  for (const d of stale) {
    if (check) console.log(`stale: ${d.file}`);
    else fs.writeFileSync(d.file, d.expected);
  }
  console.log(check ? `${stale.length} stale file(s)` : `rewrote ${stale.length} file(s): ${stale.map((d) => d.file).join(', ') || 'none'}`);
  if (check && stale.length) process.exit(1);
}
