/** A one-line progress bar on a terminal; a plain line every few seconds when output is a file or pipe. */
export class Progress {
  private lastPrint = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly total: number, private readonly startStep: number) {}

  update(step: number, fields: Record<string, string>, elapsedS: number): void {
    const now = Date.now();
    if (!this.tty && now - this.lastPrint < 10_000 && step < this.total) return;
    this.lastPrint = now;
    const done = step / this.total;
    const rate = (step - this.startStep) / Math.max(elapsedS, 1e-9);
    const eta = rate > 0 ? (this.total - step) / rate : Infinity;
    const width = 24;
    const bar = '█'.repeat(Math.round(done * width)).padEnd(width, '░');
    const info = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' · ');
    const line = `${bar} ${(100 * done).toFixed(1).padStart(5)}% · step ${step}/${this.total} · ${info} · ETA ${formatDuration(eta)}`;
    process.stderr.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Ends the bar's line so the next message starts on its own. */
  break(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
