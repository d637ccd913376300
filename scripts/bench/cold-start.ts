/**
 * Cold start: backend initialisation + weight decoding (what an isolate pays
 * before its first digit), each in a fresh process so nothing is warm.
 * "total" = backend init + weights, as src/model/runtime.ts's startupMs
 * counts it; WebAssembly compilation is reported apart (Workers upload the
 * module precompiled) and so is the first digit (first-call kernel set-up).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../eval/stats';

export interface ColdStart {
  runs: number;
  compileMedianMs: number;
  backendInitMedianMs: number;
  weightsMedianMs: number;
  totalMedianMs: number;
  firstDigitMedianMs: number;
}

export function measureColdStart(runs: number, weightsDir: string): ColdStart {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cold-start-child.ts');
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const samples = Array.from({ length: runs }, () => {
    const out = execFileSync(process.execPath, ['--import', tsx, child, weightsDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(out.trim().split('\n').pop()!) as { compileMs: number; backendInitMs: number; weightsMs: number; firstDigitMs: number };
  });
  const med = (f: (s: (typeof samples)[number]) => number) => median(samples.map(f));
  return {
    runs,
    compileMedianMs: med((s) => s.compileMs),
    backendInitMedianMs: med((s) => s.backendInitMs),
    weightsMedianMs: med((s) => s.weightsMs),
    totalMedianMs: med((s) => s.backendInitMs + s.weightsMs),
    firstDigitMedianMs: med((s) => s.firstDigitMs),
  };
}
