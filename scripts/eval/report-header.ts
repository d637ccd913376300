/**
 * What every eval report (eval, --frontier, --style) opens with: when and
 * where it ran, on which backend, for how long, and how busy the machine was.
 * Its figures only mean something next to these, so all three record them
 * the same way, in the JSON and in the line under the Markdown title.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadAverage, machineDescription } from './reports';

export interface ReportHeader {
  date: string;
  machine: string;
  /** 1-minute load average at the end: other work on the machine slows the timings (ms/digit, wall time). */
  loadAverage: number;
  wallSeconds: number;
  backend: string;
}

/** The header of a report whose title shows the command that wrote it (--frontier, --style). */
export interface CommandReportHeader extends ReportHeader {
  command: string;
}

/** Taken when the report is written: `started` is performance.now() at the run's start, `device` initBackend's. */
export function reportHeader(started: number, device: string): ReportHeader {
  return {
    date: new Date().toISOString(),
    machine: machineDescription(),
    loadAverage: loadAverage(),
    wallSeconds: (performance.now() - started) / 1000,
    backend: `tfjs ${tf.getBackend()} (${device})`,
  };
}

/** reportHeader and the command line as typed (eval.ts routes these runs by flag, so it is always `npm run eval --`). */
export function commandReportHeader(started: number, device: string): CommandReportHeader {
  return { ...reportHeader(started, device), command: `npm run eval -- ${process.argv.slice(2).join(' ')}` };
}

/**
 * "date · machine · backend · N s wall · load average L", the line under a report's title.
 * `loadDigits` fixes L's decimals (style.md prints two); without it L is printed as recorded.
 */
export function headerLine(h: ReportHeader, loadDigits?: number): string {
  const load = loadDigits === undefined ? String(h.loadAverage) : h.loadAverage.toFixed(loadDigits);
  return `${h.date} · ${h.machine} · ${h.backend} · ${Math.round(h.wallSeconds)} s wall · load average ${load}`;
}
