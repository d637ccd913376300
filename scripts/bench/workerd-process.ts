/**
 * The workerd process Miniflare started for this Node process, seen through
 * /proc (Linux only): its resident memory, and its CPU time, which is what a
 * request costs whatever else the machine is doing (wall time on a shared
 * machine is not). CPU time counts in clock ticks of 10 ms.
 */
import fs from 'node:fs';

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
const MS_PER_TICK = 10;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), 0-based from field 3. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The newest workerd child of this process, or null (not Linux, or none running). */
export function workerdPid(): number | null {
  if (!fs.existsSync('/proc/self/stat')) return null;
  let newest: { pid: number; started: number } | null = null;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'workerd') continue;
      const fields = statFields(Number(entry));
      // Field 4 is the parent, field 22 the start time.
      if (Number(fields[1]) !== process.pid) continue;
      const started = Number(fields[19]);
      if (!newest || started > newest.started) newest = { pid: Number(entry), started };
    } catch {
      // The process ended while we looked.
    }
  }
  return newest?.pid ?? null;
}

/** User + system CPU the process has used, in ms. */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** Resident memory in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
}
