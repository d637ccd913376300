/**
 * What the measurement reports share: where they go, the machine they ran on,
 * and Markdown tables. Both eval and bench write a JSON file (every figure)
 * and a Markdown file (the table a person reads), atomically.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAtomic } from '../train/export';

export const REPORTS_DIR = 'reports';

/** "2 × AMD EPYC … · Node v20 · linux x64": figures only mean something next to this. */
export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'} · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · ${os.platform()} ${os.arch()}`;
}

/** Other processes competing for the cores make timings worse; say so in the report. */
export function loadAverage(): number {
  return +os.loadavg()[0].toFixed(2);
}

export function writeReport(dir: string, name: string, json: unknown, markdown: string): { json: string; markdown: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = { json: path.join(dir, `${name}.json`), markdown: path.join(dir, `${name}.md`) };
  writeAtomic(files.json, JSON.stringify(json, null, 1) + '\n');
  writeAtomic(files.markdown, markdown);
  return files;
}

/** A GitHub-flavoured Markdown table; numbers right-aligned. */
export function markdownTable(headers: string[], rows: (string | number)[][], rightAligned: boolean[] = headers.map(() => true)): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(rightAligned.map((r) => (r ? '---:' : ':---'))), ...rows.map(line)].join('\n');
}

/** Fixed decimals, or "–" for a missing figure. */
export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}
