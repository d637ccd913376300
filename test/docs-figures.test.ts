/**
 * The figures in the README and docs/ are the reports' (reports/*.json), as
 * `npm run docs` writes them: a page edited by hand, or a report re-run without
 * `npm run docs`, fails here.
 */
import { describe, expect, it } from 'vitest';
import { blockNames } from '../scripts/docs/blocks';
import { servedRow } from '../scripts/docs/quality';
import { DEFAULT_SET, loadReports } from '../scripts/docs/reports';
import { BLOCKS, renderDocs } from '../scripts/make-docs';

describe('generated figures', () => {
  const docs = renderDocs();

  it.each(docs.map((d) => d.file))('%s agrees with reports/ (else: npm run docs)', (file) => {
    const { current, expected } = docs.find((d) => d.file === file)!;
    expect(current).toBe(expected);
  });

  it('puts the headline tables where a reader looks for them, and every block has a generator', () => {
    const names = (file: string) => blockNames(docs.find((d) => d.file === file)!.current);
    expect(names('README.md')).toContain('at-a-glance');
    expect(names('docs/quality.md')).toEqual(expect.arrayContaining(['quality-setup', 'quality-table']));
    expect(names('docs/speed.md')).toEqual(expect.arrayContaining(['speed-setup', 'per-digit-table', 'workerd-table']));
    const used = new Set(docs.flatMap((d) => blockNames(d.current)));
    expect(Object.keys(BLOCKS).filter((name) => !used.has(name))).toEqual([]);
  });

  it('changes the pages when a report changes', () => {
    const reports = loadReports();
    servedRow(reports.eval, DEFAULT_SET.sampling.defaultSteps).fid += 1; // the default request's FID
    for (const timing of reports.bench.generation) timing.medianMs += 1;
    const changed = renderDocs(reports).filter((d) => d.current !== d.expected).map((d) => d.file);
    expect(changed).toEqual(expect.arrayContaining(['README.md', 'docs/quality.md', 'docs/speed.md']));
  });
});
