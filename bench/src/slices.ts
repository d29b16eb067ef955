/**
 * Targets (the two gateways, and in the live round the floor) loaded in alternating slices (stock, ours, floor, stock,
 * ours, floor, ...), so that anything else that comes and goes on the machine weighs on all alike. Each slice is
 * measured only after a ramp: at fixed concurrency a slice's first answers come late and the requests in flight at its
 * end are never answered, so only the answers that arrive in steady state count, with the CPU used over the same
 * window.
 */
import { readFile } from 'node:fs/promises';
import { readCpu, type CpuReadings } from './cpu';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './cpu-profile';
import type { GatewayKind, RunningGateway } from './gateway-process';
import { figures, nowUs, runLoad, type Answer, type Figures, type LoadResult } from './http-load';
import type { ReplayCounts, RunningReplay } from './replay-subgraphs';

export type TargetKind = GatewayKind | 'floor';

export interface Target {
  kind: TargetKind;
  name: string;
  url: string;
  /** Its own process, for its CPU. */
  pid: number;
  /** A gateway, which can be profiled. */
  gateway?: RunningGateway;
}

/** What a round loads, and which processes besides each target's own it counts the CPU of. */
export interface Round {
  targets: Target[];
  payload: { body: string; headers: Record<string, string> };
  connections: number;
  /** By name: each subgraph process, the replay proxy. */
  processes: Record<string, number>;
  replay?: RunningReplay;
}

export interface Row extends Figures {
  target: Target;
  seconds: number;
  errors: number;
  timeouts: number;
  /** Shares of one core: `target` (its own process), each of the round's `processes`, `bench`, `machine`. */
  cpu: CpuReadings;
  /** Replay round: subgraph requests answered from memory and passed through while measuring. */
  replay?: ReplayCounts;
}

export interface Profiled {
  summary: ProfileSummary;
  requests: number;
  path: string;
}

/** CPU readings, and with the replay proxy its counts. */
interface Probe {
  cpu: CpuReadings;
  counts?: ReplayCounts;
}

interface Slice {
  /** From the end of the ramp to the end of the load, in µs of `nowUs`. */
  window: [number, number];
  seconds: number;
  /** The answers that arrived in the window. */
  answers: Answer[];
  result: LoadResult;
  before: Probe;
  after: Probe;
}

const load = ({ payload, connections }: Round, target: Target, seconds: number) =>
  // Through saturated subgraphs an answer can take seconds at 50 connections: autocannon's 10 s would drop it.
  runLoad({ url: target.url, method: 'POST', ...payload, connections, seconds, timeoutSeconds: 30, graphql: true });

async function probe(round: Round, target: Target): Promise<Probe> {
  const cpu = readCpu({ target: target.pid, ...round.processes });
  return { cpu, counts: await round.replay?.counts() };
}

async function runSlice(round: Round, target: Target, rampSeconds: number, seconds: number): Promise<Slice> {
  let before: Promise<Probe> | undefined;
  let windowStart = 0;
  const timer = setTimeout(() => {
    windowStart = nowUs();
    before = probe(round, target);
  }, rampSeconds * 1000);
  const result = await load(round, target, rampSeconds + seconds);
  clearTimeout(timer);
  const after = await probe(round, target);
  if (!before) throw new Error(`${target.name}: the load ended before its ramp of ${rampSeconds} s`);
  const answers = result.answers.filter((answer) => answer.atUs >= windowStart);
  return {
    window: [windowStart, result.endUs],
    seconds: (result.endUs - windowStart) / 1e6,
    answers,
    result,
    before: await before,
    after,
  };
}

/** A warm-up, not counted; answers the ramp: twice the median latency of its second half, 1 to 10 s. */
async function warmUp(round: Round, target: Target, seconds: number): Promise<number> {
  const { answers, startUs, endUs } = await load(round, target, seconds);
  const secondHalf = answers.filter((answer) => answer.atUs >= (startUs + endUs) / 2);
  const median = figures(secondHalf, 1).p50;
  return Math.min(10, Math.max(1, Math.ceil((2 * (Number.isNaN(median) ? 5000 : median)) / 1000)));
}

type Reading = (probe: Probe) => number | null | undefined;

/** A counter over every window, or null when one of its readings is missing. */
function counted(slices: Slice[], read: Reading): number | null {
  if (!slices.every((slice) => read(slice.before) != null && read(slice.after) != null)) return null;
  return slices.reduce((total, slice) => total + read(slice.after)! - read(slice.before)!, 0);
}

function rowOf(target: Target, slices: Slice[]): Row {
  const sum = (value: (slice: Slice) => number) => slices.reduce((total, slice) => total + value(slice), 0);
  const seconds = sum((slice) => slice.seconds);
  const share = (name: string) => {
    const value = counted(slices, (probe) => probe.cpu[name]);
    return value === null ? null : value / seconds;
  };
  const cpu = Object.fromEntries(Object.keys(slices[0]!.after.cpu).map((name) => [name, share(name)]));
  const [replayed, passedThrough] = [
    counted(slices, (probe) => probe.counts?.replayed),
    counted(slices, (probe) => probe.counts?.passedThrough),
  ];
  const [measured, all] = [slices.flatMap((slice) => slice.answers), slices.flatMap((slice) => slice.result.answers)];
  const { non2xx, graphqlErrors } = figures(all, 1);
  return {
    ...figures(measured, seconds),
    target,
    seconds,
    errors: sum((slice) => slice.result.errors),
    timeouts: sum((slice) => slice.result.timeouts),
    non2xx,
    graphqlErrors,
    cpu: { ...cpu, bench: share('bench')!, machine: share('machine')! },
    ...(replayed !== null && passedThrough !== null ? { replay: { replayed, passedThrough } } : {}),
  };
}

/** Each target's ramp, by kind. */
export type Ramps = Map<TargetKind, number>;

async function alternate(round: Round, ramps: Ramps, seconds: number, slices: number, report?: (line: string) => void) {
  const done: Slice[][] = round.targets.map(() => []);
  for (let n = 0; n < slices; n += 1) {
    for (const [i, target] of round.targets.entries()) {
      const slice = await runSlice(round, target, ramps.get(target.kind)!, seconds / slices);
      done[i]!.push(slice);
      report?.(` ${target.kind} ${Math.round(slice.answers.length / slice.seconds)}`);
    }
  }
  return done;
}

/** Each target gets a warm-up first, which also sets its ramp; the rows come in the order of the targets. */
export async function measureRound(round: Round, seconds: number, slices: number, warmUpSeconds: number) {
  const ramps: Ramps = new Map();
  for (const target of round.targets) {
    process.stdout.write(`  warm-up ${target.kind} ${warmUpSeconds} s`);
    ramps.set(target.kind, await warmUp(round, target, warmUpSeconds));
    process.stdout.write(`, then a ramp of ${ramps.get(target.kind)} s before each measured slice\n`);
  }
  process.stdout.write(`  measuring ${seconds} s each in ${slices} alternating slices of ${seconds / slices} s:`);
  const done = await alternate(round, ramps, seconds, slices, (line) => process.stdout.write(line));
  process.stdout.write(' req/s\n');
  return { rows: round.targets.map((target, i) => rowOf(target, done[i]!)), ramps };
}

/**
 * The gateways of the round only, the floor aside. The profilers run the whole time; only the samples within each
 * gateway's windows count, against their answers.
 */
export async function profileGateways(
  round: Round,
  ramps: Ramps,
  seconds: number,
  slices: number,
  intervalUs: number,
  directory: string,
) {
  const targets = round.targets.filter((target) => target.gateway);
  const paths = targets.map((target) => `${directory}/gateway-vs-stock-${target.kind}.cpuprofile`);
  process.stdout.write(`  profiling ${seconds} s each in ${slices} alternating slices...`);
  await Promise.all(targets.map((target) => target.gateway!.startProfile(intervalUs)));
  let done: Slice[][];
  try {
    done = await alternate({ ...round, targets, processes: {}, replay: undefined }, ramps, seconds, slices);
  } finally {
    await Promise.all(targets.map((target, i) => target.gateway!.stopProfile(paths[i]!)));
  }
  const requests = done.map((list) => list.reduce((total, slice) => total + slice.answers.length, 0));
  process.stdout.write(` ${targets.map((target, i) => `${target.kind} ${requests[i]}`).join(', ')} answers in the windows\n`);
  const profiles = new Map<TargetKind, Profiled>();
  for (const [i, target] of targets.entries()) {
    const profile = JSON.parse(await readFile(paths[i]!, 'utf8')) as CpuProfile;
    const windows = done[i]!.map((slice) => slice.window);
    profiles.set(target.kind, { summary: summarizeProfile(profile, windows), requests: requests[i]!, path: paths[i]! });
  }
  return profiles;
}
