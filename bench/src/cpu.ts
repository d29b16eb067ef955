/** Who is busy during a run: CPU seconds of process trees (from /proc: Linux only, null elsewhere), of this process and of the machine. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** CPU seconds so far, by name; shares of one core once passed through `cpuShares`. */
export type CpuReadings = Record<string, number | null> & { bench: number; machine: number };

interface ProcessStat {
  name: string;
  parent: number;
  ticks: number;
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function processes(): Map<number, ProcessStat> {
  const all = new Map<number, ProcessStat>();
  if (process.platform !== 'linux') return all;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The name (field 2) may hold spaces and parentheses: the other fields come after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      all.set(Number(entry), { name, parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // ended meanwhile
    }
  }
  return all;
}

export const machineBusySeconds = () =>
  os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0) / 1000;

/** Share of one core the machine is busy over the next `seconds`. */
export async function machineBusyShare(seconds: number): Promise<number> {
  const before = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (machineBusySeconds() - before) / seconds;
}

/**
 * CPU seconds used so far by each group, `bench` (this process) and `machine` (every core). A group is a pid's process
 * tree, or by process name (`postgres`) every tree whose root's parent has another name; null when there is none.
 */
export function readCpu(groups: Record<string, number | string | undefined>): CpuReadings {
  const all = processes();
  const children = new Map<number, number[]>();
  for (const [pid, { parent }] of all) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const tree = (pid: number): number => (children.get(pid) ?? []).reduce((sum, child) => sum + tree(child), all.get(pid)!.ticks);
  const own = process.cpuUsage();
  const readings: CpuReadings = { bench: (own.user + own.system) / 1e6, machine: machineBusySeconds() };
  for (const [label, group] of Object.entries(groups)) {
    const roots = [...all]
      .filter(([pid, stat]) =>
        typeof group === 'number' ? pid === group : stat.name === group && all.get(stat.parent)?.name !== group,
      )
      .map(([pid]) => pid);
    readings[label] = roots.length ? roots.reduce((sum, pid) => sum + tree(pid), 0) / ticksPerSecond : null;
  }
  return readings;
}

/** Shares of one core between two readings `seconds` apart; null where either reading is. */
export function cpuShares(before: CpuReadings, after: CpuReadings, seconds: number): CpuReadings {
  const share = (name: string) => {
    const [from, to] = [before[name], after[name]];
    return from == null || to == null ? null : Math.max(0, to - from) / seconds;
  };
  return {
    ...Object.fromEntries(Object.keys(after).map((name) => [name, share(name)])),
    bench: share('bench')!,
    machine: share('machine')!,
  };
}

/** CPU milliseconds per request of a share of one core held for `seconds` while `requests` were answered; null if unknown. */
export function msPerRequest(share: number | null | undefined, seconds: number, requests: number): number | null {
  return share == null ? null : (share * seconds * 1000) / Math.max(1, requests);
}
