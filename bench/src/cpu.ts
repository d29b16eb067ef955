/**
 * CPU time of a process and its descendants, from /proc (Linux only; elsewhere `cpuSeconds` answers null).
 * With the load generator's own `process.cpuUsage()`, it shows who is busy during a run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** [parent pid, utime + stime in ticks] of a process, or null when it is gone. */
function readStat(pid: number): [number, number] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[1]), Number(fields[11]) + Number(fields[12])];
  } catch {
    return null;
  }
}

/** User + system CPU seconds used so far by `pid` and every live descendant of it; null off Linux. */
export function cpuSeconds(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  const own = readStat(pid);
  if (!own) return null;
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>([[pid, own[1]]]);
  for (const entry of readdirSync('/proc')) {
    const other = Number(entry);
    if (!Number.isInteger(other) || other === pid) continue;
    const stat = readStat(other);
    if (!stat) continue;
    ticks.set(other, stat[1]);
    children.set(stat[0], [...(children.get(stat[0]) ?? []), other]);
  }
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const next = queue.pop()!;
    total += ticks.get(next) ?? 0;
    queue.push(...(children.get(next) ?? []));
  }
  return total / clockTicks();
}
