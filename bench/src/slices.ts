/**
 * Two gateways loaded in alternating slices (stock, ours, stock, ours, ...), so that anything else that comes and goes
 * on the machine weighs on both alike. Each slice is measured only after a ramp: at fixed concurrency a slice's first
 * answers come late and the requests in flight at its end are never answered, so only the answers that arrive in
 * steady state count, with the CPU used over the same window.
 */
import { readFile } from 'node:fs/promises';
import { readCpu, type CpuReadings } from './cpu';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './cpu-profile';
import type { GatewayKind, RunningGateway } from './gateway-process';
import { figures, nowUs, runLoad, type Answer, type Figures, type LoadResult } from './http-load';
import type { RunningReplay } from './replay-subgraphs';

export interface Target {
  kind: GatewayKind;
  name: string;
  gateway: RunningGateway;
}

/** What a round loads, and which processes besides each gateway it counts the CPU of. */
export interface Round {
  targets: [Target, Target];
  payload: { body: string; headers: Record<string, string> };
  connections: number;
  subgraphsPid?: number;
  stackPid?: number;
  replay?: RunningReplay;
}

export interface Row extends Figures {
  target: Target;
  seconds: number;
  errors: number;
  timeouts: number;
  /** Shares of one core: `gateway`, `subgraphs` (what answers for them), `stack` (replay round), `bench`, `machine`. */
  cpu: CpuReadings;
  /** Replay round: subgraph requests answered from memory and passed through while measuring. */
  replay?: { replayed: number; passedThrough: number };
}

export interface Profiled {
  summary: ProfileSummary;
  requests: number;
  path: string;
}

/** CPU readings, and with the replay proxy its counts. */
type Probe = Record<string, number | null | undefined>;

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
  runLoad({ url: target.gateway.url, method: 'POST', ...payload, connections, seconds, timeoutSeconds: 30, graphql: true });

async function probe(round: Round, target: Target): Promise<Probe> {
  const cpu = readCpu({ gateway: target.gateway.pid, subgraphs: round.subgraphsPid, stack: round.stackPid });
  return { ...cpu, ...(await round.replay?.counts()) };
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

function rowOf(target: Target, slices: Slice[]): Row {
  const sum = (value: (slice: Slice) => number) => slices.reduce((total, slice) => total + value(slice), 0);
  const seconds = sum((slice) => slice.seconds);
  // A counter over every window, or null when one of its readings is missing.
  const counter = (name: string) =>
    slices.every((slice) => slice.before[name] != null && slice.after[name] != null)
      ? sum((slice) => slice.after[name]! - slice.before[name]!)
      : null;
  const share = (name: string) => {
    const value = counter(name);
    return value === null ? null : value / seconds;
  };
  const [replayed, passedThrough] = [counter('replayed'), counter('passedThrough')];
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
    cpu: {
      gateway: share('gateway'),
      subgraphs: share('subgraphs'),
      stack: share('stack'),
      bench: share('bench')!,
      machine: share('machine')!,
    },
    ...(replayed !== null && passedThrough !== null ? { replay: { replayed, passedThrough } } : {}),
  };
}

async function alternate(round: Round, ramps: number[], seconds: number, slices: number, report?: (line: string) => void) {
  const done: Slice[][] = round.targets.map(() => []);
  for (let n = 0; n < slices; n += 1) {
    for (const [i, target] of round.targets.entries()) {
      const slice = await runSlice(round, target, ramps[i]!, seconds / slices);
      done[i]!.push(slice);
      report?.(` ${target.kind} ${Math.round(slice.answers.length / slice.seconds)}`);
    }
  }
  return done;
}

/** Each gateway gets a warm-up first, which also sets its ramp. */
export async function measurePair(round: Round, seconds: number, slices: number, warmUpSeconds: number) {
  const ramps: number[] = [];
  for (const target of round.targets) {
    process.stdout.write(`  warm-up ${target.kind} ${warmUpSeconds} s`);
    ramps.push(await warmUp(round, target, warmUpSeconds));
    process.stdout.write(`, then a ramp of ${ramps.at(-1)} s before each measured slice\n`);
  }
  process.stdout.write(`  measuring ${seconds} s each in ${slices} alternating slices of ${seconds / slices} s:`);
  const done = await alternate(round, ramps, seconds, slices, (line) => process.stdout.write(line));
  process.stdout.write(' req/s\n');
  return { rows: round.targets.map((target, i) => rowOf(target, done[i]!)) as [Row, Row], ramps };
}

/** The profilers run the whole time; only the samples within each gateway's windows count, against their answers. */
export async function profilePair(
  round: Round,
  ramps: number[],
  seconds: number,
  slices: number,
  intervalUs: number,
  directory: string,
) {
  const { targets, payload, connections } = round;
  const paths = targets.map((target) => `${directory}/gateway-vs-stock-${target.kind}.cpuprofile`);
  process.stdout.write(`  profiling ${seconds} s each in ${slices} alternating slices...`);
  await Promise.all(targets.map((target) => target.gateway.startProfile(intervalUs)));
  let done: Slice[][];
  try {
    done = await alternate({ targets, payload, connections }, ramps, seconds, slices);
  } finally {
    await Promise.all(targets.map((target, i) => target.gateway.stopProfile(paths[i]!)));
  }
  const requests = done.map((list) => list.reduce((total, slice) => total + slice.answers.length, 0));
  process.stdout.write(` ${targets.map((target, i) => `${target.kind} ${requests[i]}`).join(', ')} answers in the windows\n`);
  const profiles = new Map<GatewayKind, Profiled>();
  for (const [i, target] of targets.entries()) {
    const profile = JSON.parse(await readFile(paths[i]!, 'utf8')) as CpuProfile;
    const windows = done[i]!.map((slice) => slice.window);
    profiles.set(target.kind, { summary: summarizeProfile(profile, windows), requests: requests[i]!, path: paths[i]! });
  }
  return profiles;
}
