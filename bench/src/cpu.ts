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

/** CPU seconds the whole machine has been busy (every core; idle and I/O wait left out), from /proc/stat; null off Linux. */
export function machineBusySeconds(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const [label, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    if (label !== 'cpu') return null;
    // user nice system idle iowait irq softirq (steal: time the hypervisor gave elsewhere; guest: within user)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields.map(Number);
    return (user + nice + system + irq + softirq) / clockTicks();
  } catch {
    return null;
  }
}

/**
 * The processes named `name` (as in /proc/<pid>/comm, for example `postgres`, `redis-server`, `beam.smp`) whose parent
 * has another name: the roots of a service's process tree, for `cpuSeconds`. Empty off Linux.
 */
export function processRoots(name: string): number[] {
  if (process.platform !== 'linux') return [];
  const comm = (pid: number | string) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const roots: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || comm(pid) !== name) continue;
    const parent = readStat(pid)?.[0];
    if (parent === undefined || comm(parent) !== name) roots.push(pid);
  }
  return roots;
}
