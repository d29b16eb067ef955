/**
 * Our gateway against a stock Apollo Gateway 2.14 set up the default way, on our supergraph and one heavy nested
 * query with entity fetches across subgraphs (in the spirit of The Guild's federation gateway benchmark), under
 * the same fixed load, one after the other; then where each gateway spends its CPU on that query (V8 sampling
 * profiles, summarised by package and function).
 *
 *   npm run bench:gateway                                (from the repository root)
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=50 npm run bench:gateway
 *
 * Two rounds, each with a fresh pair of gateways:
 * - live: the gateways call the real subgraphs (users, keyboards and stats in one child process, over the
 *   keylab_*_test databases, Redis and RabbitMQ): the whole system, where the subgraphs can be the limit;
 * - replay: the gateways call a proxy that answers every subgraph request it has seen once with the bytes the
 *   real subgraph gave (src/replay-subgraphs.ts): the gateways' own cost, as with the static subgraphs of The
 *   Guild's benchmark.
 * Each gateway runs alone in its own child process; the load generator (autocannon) runs here. A benchmark, not
 * a test: nothing here asserts on timing.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Instance } from 'autocannon';
import { machine, percentile, positiveInt, table } from './src/common';
import { cpuSeconds } from './src/cpu';
import { summarizeProfile, type CategoryTime, type CpuProfile, type FunctionTime, type ProfileSummary } from './src/cpu-profile';
import { startGatewayProcess, type GatewayKind, type RunningGateway, type SubgraphUrls } from './src/gateway-process';
import { HEAVY_QUERY, OWNED_ITEMS } from './src/heavy-query';
import { startReplaySubgraphs, type ReplayCounts, type RunningReplay } from './src/replay-subgraphs';
import { startBenchStack, type RunningStack } from './src/stack-process';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

/**
 * The only setting of ours that differs from the stack's: the operation cost limit. GraphQL Armor's estimate
 * multiplies by every literal `first` and by 1.5 per level, so the heavy query (about 69,000) is far over the
 * default of 5,000. The limit is a validation rule, and Apollo Server validates a document once and then serves
 * it from its document cache, so the threshold changes nothing per request.
 */
const OUR_SETTINGS = { GRAPHQL_MAX_COST: '1000000' };

type Mode = 'live' | 'replay';

const MODE_TITLES: Record<Mode, string> = {
  live: 'live: the gateways call the real subgraphs (one process, PostgreSQL, Redis)',
  replay: "replay: the gateways call a proxy replaying the subgraphs' recorded answers (the gateways' own cost)",
};

interface Target {
  kind: GatewayKind;
  name: string;
  gateway: RunningGateway;
}

interface Row {
  target: Target;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  graphqlErrors: number;
  /**
   * CPU seconds per second (1 = one core): of the gateway process, of what answers for the subgraphs (the stack
   * process, or the replay proxy), of the stack process in the replay round (the real subgraphs, idle but for
   * the statistics ingestion of ours' operation events), of this process, and of the whole machine.
   */
  gatewayCpu: number | null;
  subgraphsCpu: number | null;
  stackCpu: number | null;
  loadCpu: number;
  machineCores: number;
  /** Replay round: subgraph requests answered from memory and passed through while measuring. */
  replay?: ReplayCounts;
}

const running: { stack?: RunningStack; replay?: RunningReplay; gateways: RunningGateway[]; load?: Instance } = {
  gateways: [],
};
let releasing: Promise<void> | undefined;
let interrupted = false;

async function closeGateways(): Promise<void> {
  const gateways = running.gateways.splice(0);
  await Promise.all(
    gateways.map((gateway) =>
      gateway.close().catch((error: unknown) => console.error(`closing the ${gateway.kind} gateway failed:`, error)),
    ),
  );
}

function release(): Promise<void> {
  return (releasing ??= (async () => {
    running.load?.stop();
    await closeGateways();
    await running.replay?.close().catch((error: unknown) => console.error('closing the replay proxy failed:', error));
    await running.stack?.close().catch((error: unknown) => console.error('closing the stack failed:', error));
  })());
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  // Once: a second Ctrl-C exits at once (the child processes then clean up when they see us gone).
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the gateways and the stack...`);
    void release().finally(() => process.exit(code));
  });
}

/** What every request of the run sends (the same bytes to both gateways). */
interface Payload {
  body: string;
  headers: Record<string, string>;
}

interface GraphQLBody {
  data?: unknown;
  errors?: unknown[];
}

/** One request before any load: 200 with data and no GraphQL errors, or the run aborts. */
async function check(target: Target, payload: Payload): Promise<{ data: unknown; bytes: number }> {
  let response: Response;
  try {
    response = await fetch(target.gateway.url, { method: 'POST', headers: payload.headers, body: payload.body });
  } catch (error) {
    throw new Error(`${target.name}: the request to ${target.gateway.url} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: GraphQLBody | undefined;
  try {
    parsed = JSON.parse(text) as GraphQLBody;
  } catch {
    // reported below
  }
  if (response.status !== 200 || !parsed || parsed.errors?.length || parsed.data == null) {
    throw new Error(
      `${target.name}: the check request got HTTP ${response.status}, expected 200 with data and no errors:\n${text.slice(0, 2000)}`,
    );
  }
  return { data: parsed.data, bytes: Buffer.byteLength(text) };
}

/** The first place two JSON values differ (a path such as `keyboard.owner.keyboards.nodes[3].title`), or null. */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '(root)'}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i += 1) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.join() !== bKeys.join()) return `${path || '(root)'}: fields ${aKeys.join(', ')} vs ${bKeys.join(', ')}`;
  for (const key of aKeys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    );
    if (found) return found;
  }
  return null;
}

/** Every core's busy and total time so far (ms), from os.cpus(). */
function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Seconds before a request counts as a timeout (and autocannon drops the connection and opens another). */
const TIMEOUT_SECONDS = 30;

/** Microseconds on the system's monotonic clock: the clock of every process's V8 profiler too. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

interface Loaded {
  result: Awaited<Instance>;
  /** Per response: when it arrived (µs, nowUs) and its latency (ms). */
  arrivals: Float64Array;
  latencies: Float64Array;
  startUs: number;
  endUs: number;
}

async function load(url: string, payload: Payload, seconds: number, connections: number): Promise<Loaded> {
  const arrivals: number[] = [];
  const latencies: number[] = [];
  const startUs = nowUs();
  const instance = autocannon({
    url,
    method: 'POST',
    headers: payload.headers,
    body: payload.body,
    connections,
    duration: seconds,
    // Through saturated subgraphs an answer can take seconds at 50 connections; autocannon's 10 s would drop them.
    timeout: TIMEOUT_SECONDS,
    // A 200 can still carry GraphQL errors; autocannon counts these as mismatches.
    verifyBody: (text) => !text.includes('"errors":'),
  });
  running.load = instance;
  // autocannon's own histogram keeps whole milliseconds and no p95; record the exact times instead.
  instance.on('response', (_client, _status, _bytes, ms) => {
    arrivals.push(nowUs());
    latencies.push(ms);
  });
  const result = await instance;
  const endUs = nowUs();
  running.load = undefined;
  // Stopped by a signal: go no further, the handler exits once everything is released.
  if (interrupted) await new Promise<never>(() => {});
  return { result, arrivals: Float64Array.from(arrivals), latencies: Float64Array.from(latencies), startUs, endUs };
}

/** CPU counters read at both ends of a measured window. */
interface Probe {
  gateway: number | null;
  subgraphs: number | null;
  stack: number | null;
  load: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  replay?: ReplayCounts;
}

/** The processes besides the gateway whose CPU is counted: what answers for the subgraphs, and the stack's. */
interface Pids {
  subgraphs?: number;
  stack?: number;
}

async function probe(gatewayPid: number, pids: Pids, replay: RunningReplay | undefined): Promise<Probe> {
  return {
    gateway: cpuSeconds(gatewayPid),
    subgraphs: pids.subgraphs ? cpuSeconds(pids.subgraphs) : null,
    stack: pids.stack ? cpuSeconds(pids.stack) : null,
    load: process.cpuUsage(),
    machine: machineTimes(),
    ...(replay ? { replay: await replay.counts() } : {}),
  };
}

interface Slice {
  /** The measured window (µs, nowUs): from the end of the ramp to the end of the load. */
  window: [number, number];
  seconds: number;
  /** Latencies of the answers that arrived within the window. */
  latencies: number[];
  result: Awaited<Instance>;
  before: Probe;
  after: Probe;
}

/**
 * One stretch of load on one gateway, measured only after `rampSeconds`: at fixed concurrency the first answers
 * of a stretch come late (its first requests all start at once) and the requests still in flight at its end are
 * never answered, so only the answers that arrive in steady state count, with the CPU used over the same window.
 */
async function runSlice(
  target: Target,
  pids: Pids,
  replay: RunningReplay | undefined,
  payload: Payload,
  rampSeconds: number,
  seconds: number,
  connections: number,
): Promise<Slice> {
  let before: Promise<Probe> | undefined;
  let windowStart = 0;
  const timer = setTimeout(() => {
    windowStart = nowUs();
    before = probe(target.gateway.pid, pids, replay);
  }, rampSeconds * 1000);
  const loaded = await load(target.gateway.url, payload, rampSeconds + seconds, connections);
  clearTimeout(timer);
  const after = await probe(target.gateway.pid, pids, replay);
  if (!before) throw new Error(`${target.name}: the load ended before its ramp of ${rampSeconds} s`);
  const latencies: number[] = [];
  loaded.arrivals.forEach((at, i) => {
    if (at >= windowStart) latencies.push(loaded.latencies[i]!);
  });
  return {
    window: [windowStart, loaded.endUs],
    seconds: (loaded.endUs - windowStart) / 1e6,
    latencies,
    result: loaded.result,
    before: await before,
    after,
  };
}

/**
 * A warm-up that is not counted; answers the ramp for this gateway's slices: about twice the median latency
 * of the warm-up's second half (its first answers include the compiler's warm-up), 1 to 10 s.
 */
async function warmUp(target: Target, payload: Payload, seconds: number, connections: number): Promise<number> {
  const { arrivals, latencies, startUs, endUs } = await load(target.gateway.url, payload, seconds, connections);
  const half = (startUs + endUs) / 2;
  const median = percentile(latencies.filter((_, i) => arrivals[i]! >= half).sort(), 50);
  return Math.min(10, Math.max(1, Math.ceil((2 * (Number.isNaN(median) ? 5000 : median)) / 1000)));
}

/**
 * Loads the two gateways one after the other in alternating slices (stock, ours, stock, ours, ...), so that
 * anything else that comes and goes on the machine weighs on both alike; each gets a warm-up first.
 */
async function measurePair(
  targets: [Target, Target],
  pids: Pids,
  replay: RunningReplay | undefined,
  payload: Payload,
  seconds: number,
  slices: number,
  warmUpSeconds: number,
  connections: number,
): Promise<{ rows: [Row, Row]; ramps: number[] }> {
  const ramps: number[] = [];
  for (const target of targets) {
    process.stdout.write(`  warm-up ${target.kind} ${warmUpSeconds} s`);
    ramps.push(await warmUp(target, payload, warmUpSeconds, connections));
    process.stdout.write(`, then a ramp of ${ramps[ramps.length - 1]} s before each measured slice\n`);
  }
  const sliceSeconds = seconds / slices;
  const done: Slice[][] = targets.map(() => []);
  process.stdout.write(`  measuring ${seconds} s each in ${slices} alternating slices of ${sliceSeconds} s:`);
  for (let n = 0; n < slices; n += 1) {
    for (const [i, target] of targets.entries()) {
      const slice = await runSlice(target, pids, replay, payload, ramps[i]!, sliceSeconds, connections);
      done[i]!.push(slice);
      process.stdout.write(` ${target.kind} ${Math.round(slice.latencies.length / slice.seconds)}`);
    }
  }
  process.stdout.write(' req/s\n');
  const rows = targets.map((target, i): Row => {
    const list = done[i]!;
    const sum = (value: (slice: Slice) => number) => list.reduce((total, slice) => total + value(slice), 0);
    // A counter over every window, or null when one of its readings is missing.
    const counter = (value: (probe: Probe) => number | null | undefined) =>
      list.every((slice) => value(slice.before) != null && value(slice.after) != null)
        ? sum((slice) => value(slice.after)! - value(slice.before)!)
        : null;
    const seconds = sum((slice) => slice.seconds);
    const perSecond = (value: number | null) => (value === null ? null : value / seconds);
    const sorted = Float64Array.from(list.flatMap((slice) => slice.latencies)).sort();
    const replayed = counter((probe) => probe.replay?.replayed);
    const passedThrough = counter((probe) => probe.replay?.passedThrough);
    return {
      target,
      seconds,
      requests: sorted.length,
      requestsPerSecond: sorted.length / seconds,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      errors: sum((slice) => slice.result.errors),
      timeouts: sum((slice) => slice.result.timeouts),
      non2xx: sum((slice) => slice.result.non2xx),
      graphqlErrors: sum((slice) => slice.result.mismatches),
      gatewayCpu: perSecond(counter((probe) => probe.gateway)),
      subgraphsCpu: perSecond(counter((probe) => probe.subgraphs)),
      stackCpu: perSecond(counter((probe) => probe.stack)),
      machineCores: (counter((probe) => probe.machine.busy) ?? 0) / 1000 / seconds,
      loadCpu: perSecond(counter((probe) => (probe.load.user + probe.load.system) / 1e6))!,
      ...(replayed !== null && passedThrough !== null ? { replay: { replayed, passedThrough } } : {}),
    };
  }) as [Row, Row];
  return { rows, ramps };
}

interface Profiled {
  summary: ProfileSummary;
  requests: number;
  path: string;
}

/**
 * Profiles both gateways over the same alternating slices of load. Each profiler runs the whole time; only the
 * samples within each gateway's measured windows count, against the answers that arrived in them.
 */
async function profilePair(
  targets: [Target, Target],
  payload: Payload,
  ramps: number[],
  seconds: number,
  slices: number,
  connections: number,
  intervalUs: number,
  directory: string,
): Promise<Map<GatewayKind, Profiled>> {
  const done: Slice[][] = targets.map(() => []);
  const paths = targets.map((target) => `${directory}/gateway-vs-stock-${target.kind}.cpuprofile`);
  process.stdout.write(`  profiling ${seconds} s each in ${slices} alternating slices...`);
  await Promise.all(targets.map((target) => target.gateway.startProfile(intervalUs)));
  try {
    for (let n = 0; n < slices; n += 1) {
      for (const [i, target] of targets.entries()) {
        done[i]!.push(await runSlice(target, {}, undefined, payload, ramps[i]!, seconds / slices, connections));
      }
    }
  } finally {
    await Promise.all(targets.map((target, i) => target.gateway.stopProfile(paths[i]!)));
  }
  const requests = done.map((list) => list.reduce((total, slice) => total + slice.latencies.length, 0));
  process.stdout.write(` ${targets.map((target, i) => `${target.kind} ${requests[i]}`).join(', ')} answers in the windows\n`);
  const profiles = new Map<GatewayKind, Profiled>();
  for (const [i, target] of targets.entries()) {
    const profile = JSON.parse(await readFile(paths[i]!, 'utf8')) as CpuProfile;
    const summary = summarizeProfile(
      profile,
      done[i]!.map((slice) => slice.window),
    );
    profiles.set(target.kind, { summary, requests: requests[i]!, path: paths[i]! });
  }
  return profiles;
}

const ms = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const cpu = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);
const perRequest = (cpuPerSecond: number | null, row: Row) =>
  cpuPerSecond === null ? 'n/a' : ms((cpuPerSecond * row.seconds * 1000) / Math.max(1, row.requests));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
/** The gateway's CPU ms per operation (of a row whose gateway CPU is known). */
const cpuPerOperation = (row: Row) => (row.gatewayCpu! * row.seconds * 1000) / Math.max(1, row.requests);

function printRows(mode: Mode, rows: [Row, Row]): void {
  console.log('');
  console.log(
    table(
      ['gateway', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'timeouts', 'non-2xx', 'gql errors'],
      rows.map((row) => [
        row.target.name,
        row.requestsPerSecond.toFixed(1),
        ms(row.p50),
        ms(row.p95),
        ms(row.p99),
        String(row.errors),
        String(row.timeouts),
        String(row.non2xx),
        String(row.graphqlErrors),
      ]),
    ),
  );
  const replaying = mode === 'replay';
  const rest = (row: Row) =>
    row.machineCores - (row.gatewayCpu ?? 0) - (row.subgraphsCpu ?? 0) - (row.stackCpu ?? 0) - row.loadCpu;
  console.log(
    '\nCPU while measuring (100% = one core) and per operation (ms); the rest: PostgreSQL, Redis, RabbitMQ and\n' +
      'anything else running on the machine',
  );
  console.log(
    table(
      [
        'gateway',
        'gateway',
        'ms/op',
        replaying ? 'replay proxy' : 'subgraphs',
        'ms/op',
        ...(replaying ? ['stack (stats)', 'ms/op'] : []),
        'load generator',
        'the rest',
        'machine',
      ],
      rows.map((row) => [
        row.target.name,
        cpu(row.gatewayCpu),
        perRequest(row.gatewayCpu, row),
        cpu(row.subgraphsCpu),
        perRequest(row.subgraphsCpu, row),
        ...(replaying ? [cpu(row.stackCpu), perRequest(row.stackCpu, row)] : []),
        cpu(row.loadCpu),
        cpu(rest(row)),
        cpu(row.machineCores),
      ]),
    ),
  );
  for (const row of rows) {
    if (!row.replay) continue;
    const all = row.replay.replayed + row.replay.passedThrough;
    console.log(`  ${row.target.name}: ${all} subgraph requests, ${percent(row.replay.replayed / Math.max(1, all))} replayed`);
  }
  const [stock, ours] = rows;
  console.log(`\n${mode}, ours / stock:`);
  console.log(`  throughput        ${ratio(ours.requestsPerSecond, stock.requestsPerSecond)}`);
  console.log(`  p50 latency       ${ratio(ours.p50, stock.p50)}`);
  console.log(`  p95 latency       ${ratio(ours.p95, stock.p95)}`);
  console.log(`  p99 latency       ${ratio(ours.p99, stock.p99)}`);
  if (ours.gatewayCpu !== null && stock.gatewayCpu !== null) {
    console.log(`  gateway CPU/op    ${ratio(cpuPerOperation(ours), cpuPerOperation(stock))}`);
  }
}

function printProfiles(profiles: Map<GatewayKind, Profiled>, top: number): void {
  const ours = profiles.get('ours')!;
  const stock = profiles.get('stock')!;
  const perReq = (valueMs: number, run: Profiled) => valueMs / Math.max(1, run.requests);
  const share = (valueMs: number, run: Profiled) => percent(valueMs / Math.max(1, run.summary.busyMs));
  const byCategory = (run: Profiled) => new Map(run.summary.categories.map((entry) => [entry.category, entry]));
  const [oursCategories, stockCategories] = [byCategory(ours), byCategory(stock)];
  const visible = (run: Profiled, entry: CategoryTime | undefined) => !!entry && entry.selfMs / run.summary.busyMs >= 0.002;
  const categories = [...new Set([...oursCategories.keys(), ...stockCategories.keys()])]
    .filter((name) => visible(ours, oursCategories.get(name)) || visible(stock, stockCategories.get(name)))
    .sort(
      (a, b) =>
        (oursCategories.get(b)?.selfMs ?? 0) - (oursCategories.get(a)?.selfMs ?? 0) ||
        (stockCategories.get(b)?.selfMs ?? 0) - (stockCategories.get(a)?.selfMs ?? 0),
    );
  const cell = (run: Profiled, entry: CategoryTime | undefined, key: 'selfMs' | 'onStackMs') =>
    entry ? `${ms(perReq(entry[key], run))} ${share(entry[key], run).padStart(6)}` : '-';
  console.log(
    '\nwhere the CPU goes, by package: CPU ms per operation and share of the busy (not idle) time; self is the\n' +
      "package's own code, on stack is time with any of its functions on the stack (callees included)",
  );
  console.log(
    table(
      ['package', 'ours self', 'ours on stack', 'stock self', 'stock on stack'],
      [
        ...categories.map((name) => [
          name,
          cell(ours, oursCategories.get(name), 'selfMs'),
          cell(ours, oursCategories.get(name), 'onStackMs'),
          cell(stock, stockCategories.get(name), 'selfMs'),
          cell(stock, stockCategories.get(name), 'onStackMs'),
        ]),
        ['busy, all packages', ms(perReq(ours.summary.busyMs, ours)), '', ms(perReq(stock.summary.busyMs, stock)), ''],
      ],
    ),
  );

  const header = ['function', 'where', 'self ms', 'self', 'total ms', 'total'];
  const functionRow = (run: Profiled) => (entry: FunctionTime) => [
    entry.name.slice(0, 40),
    entry.location.slice(-64),
    ms(perReq(entry.selfMs, run)),
    share(entry.selfMs, run),
    ms(perReq(entry.totalMs, run)),
    share(entry.totalMs, run),
  ];
  console.log(`\nours: top ${top} functions by self time (CPU ms per operation)`);
  console.log(table(header, ours.summary.functions.slice(0, top).map(functionRow(ours))));

  // Which library and application entry points the time sits under (callees included).
  const isCode = (entry: FunctionTime) =>
    !entry.category.startsWith('node:') &&
    !entry.category.startsWith('V8:') &&
    entry.category !== 'root' &&
    entry.name !== '(anonymous)';
  console.log(`\nours: top ${top} named library and application functions by total time`);
  console.log(
    table(
      header,
      [...ours.summary.functions]
        .filter(isCode)
        .sort((a, b) => b.totalMs - a.totalMs)
        .slice(0, top)
        .map(functionRow(ours)),
    ),
  );

  // The same libraries run in both: per function, what ours spends per operation beyond stock.
  const key = (entry: FunctionTime) => `${entry.name}\u0000${entry.location}`;
  const stockFunctions = new Map(stock.summary.functions.map((entry) => [key(entry), entry]));
  const oursFunctions = new Map(ours.summary.functions.map((entry) => [key(entry), entry]));
  const differences = [...new Set([...oursFunctions.keys(), ...stockFunctions.keys()])]
    .map((name) => {
      const [mine, theirs] = [oursFunctions.get(name), stockFunctions.get(name)];
      const self = perReq(mine?.selfMs ?? 0, ours) - perReq(theirs?.selfMs ?? 0, stock);
      return { entry: (mine ?? theirs)!, self, mine, theirs };
    })
    .sort((a, b) => b.self - a.self);
  const differenceRows = (list: typeof differences) =>
    list.map(({ entry, self, mine, theirs }) => [
      entry.name.slice(0, 40),
      entry.location.slice(-64),
      ms(perReq(mine?.selfMs ?? 0, ours)),
      ms(perReq(theirs?.selfMs ?? 0, stock)),
      `${self >= 0 ? '+' : ''}${ms(self)}`,
    ]);
  const few = Math.min(top, 20);
  console.log(`\nours against stock: the ${few} functions with the most extra self time per operation in ours`);
  console.log(table(['function', 'where', 'ours ms', 'stock ms', 'difference'], differenceRows(differences.slice(0, few))));
  console.log(`\nand the ${Math.min(top, 10)} where ours spends the least beyond stock (negative: less than stock)`);
  console.log(
    table(
      ['function', 'where', 'ours ms', 'stock ms', 'difference'],
      differenceRows(differences.slice(-Math.min(top, 10)).reverse()),
    ),
  );

  console.log(`\nstock: top ${few} functions by self time (CPU ms per operation)`);
  console.log(table(header, stock.summary.functions.slice(0, few).map(functionRow(stock))));
  console.log(
    `\nprofiles (Chrome DevTools, speedscope): ${ours.path} (${ours.requests} operations), ${stock.path} (${stock.requests} operations)`,
  );
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 20);
  const connections = positiveInt('BENCH_CONNECTIONS', 50);
  const warmUpSeconds = positiveInt('BENCH_WARMUP_SECONDS', 3);
  const slices = positiveInt('BENCH_SLICES', 4);
  const profileSeconds = positiveInt('BENCH_PROFILE_SECONDS', 10);
  const profileIntervalUs = positiveInt('BENCH_PROFILE_INTERVAL_US', 500);
  const profiling = process.env.BENCH_PROFILE !== '0';
  const top = positiveInt('BENCH_PROFILE_TOP', 25);
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  const nodeEnv = process.env.BENCH_NODE_ENV || 'production';
  const profileDir = (process.env.BENCH_PROFILE_DIR || fileURLToPath(new URL('../.data/bench/', import.meta.url))).replace(
    /\/$/,
    '',
  );
  const subgraphs = process.env.BENCH_SUBGRAPHS || 'both';
  if (!['both', 'live', 'replay'].includes(subgraphs)) {
    throw new Error(`BENCH_SUBGRAPHS must be both, live or replay, got "${subgraphs}"`);
  }
  const modes: Mode[] = subgraphs === 'both' ? ['live', 'replay'] : [subgraphs as Mode];
  // The profile of the last round: with replayed subgraphs the gateway is the busy one.
  const profileMode = modes[modes.length - 1]!;

  console.log('KeyLab gateway against stock Apollo Gateway');
  console.log(`machine:  ${machine()}`);
  const idleBefore = machineTimes();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleAfter = machineTimes();
  const busyBefore = (idleAfter.busy - idleBefore.busy) / Math.max(1, idleAfter.total - idleBefore.total);
  console.log(
    `          busy ${percent(busyBefore)} in the second before the run (load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')})` + (busyBefore > 0.2 ? ': something else is running, and every number below shares the cores with it' : ''),
  );
  console.log(
    `settings: ${seconds} s per gateway (${slices} alternating slices) after a ${warmUpSeconds} s warm-up, ` +
      `${connections} connections, no pipelining, ` +
      `JSON POST; rounds: ${modes.join(', ')}; each gateway in its own process (NODE_ENV=${nodeEnv}), the subgraphs ` +
      `${inProcess ? 'in the benchmark process' : 'in a child process'}; ours with ${Object.entries(OUR_SETTINGS)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}` +
      (profiling
        ? `; then a ${profileSeconds} s CPU profile of each gateway in the ${profileMode} round (a sample every ${profileIntervalUs} µs)`
        : ''),
  );

  const startedAt = Date.now();
  const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  let exitCode = 0;
  try {
    const stack = await startBenchStack(inProcess, { ownedItems: OWNED_ITEMS });
    running.stack = stack;
    console.log(
      `stack up after ${elapsed()} (pid ${stack.pid}); data: a user with ${OWNED_ITEMS.keyboards} keyboards, ` +
        `${OWNED_ITEMS.boxes} boxes and ${OWNED_ITEMS.kits} kits (copies of the default catalogue), removed at the end`,
    );
    const payload: Payload = {
      body: JSON.stringify({ query: HEAVY_QUERY, variables: { id: stack.owned.keyboards[0] } }),
      // A returning visitor (as a browser with its cookie): ours sets no new cookie, and closing the stack
      // removes the statistics rows of this visitor.
      headers: { 'content-type': 'application/json', 'x-visitor-id': `${stack.visitorPrefix}gateway-vs-stock` },
    };

    const results = new Map<Mode, [Row, Row]>();
    let firstData: unknown;
    for (const mode of modes) {
      console.log(`\n== ${MODE_TITLES[mode]}`);
      let urls: SubgraphUrls = stack.subgraphUrls;
      if (mode === 'replay') {
        running.replay ??= await startReplaySubgraphs({ ...stack.subgraphUrls });
        urls = running.replay.urls as unknown as SubgraphUrls;
      }
      // Both start at once; each is released even when the other failed to start.
      const spec = { subgraphUrls: urls, jwksUrl: stack.jwksUrl, statsExchange: stack.statsExchange, nodeEnv };
      const started = await Promise.allSettled(
        (['stock', 'ours'] as const).map((kind) =>
          startGatewayProcess({ kind, ...spec, ...(kind === 'ours' ? { settings: OUR_SETTINGS } : {}) }).then(
            (gateway) => (running.gateways.push(gateway), gateway),
          ),
        ),
      );
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const [stock, ours] = started.map((result) => (result as PromiseFulfilledResult<RunningGateway>).value) as [
        RunningGateway,
        RunningGateway,
      ];
      console.log(`gateways up after ${elapsed()}: stock (pid ${stock.pid}) ${stock.url}, ours (pid ${ours.pid}) ${ours.url}`);

      const targets: [Target, Target] = [
        { kind: 'stock', name: 'stock @apollo/gateway', gateway: stock },
        { kind: 'ours', name: 'ours (@keylab/gateway)', gateway: ours },
      ];
      // One operation each; with the proxy in between, also how many subgraph requests it takes.
      const checked = [];
      const fetches: number[] = [];
      for (const target of targets) {
        const before = await running.replay?.counts();
        checked.push(await check(target, payload));
        const after = await running.replay?.counts();
        if (before && after) fetches.push(after.replayed + after.passedThrough - before.replayed - before.passedThrough);
      }
      const difference =
        firstDifference(checked[0]!.data, checked[1]!.data) ?? (firstData ? firstDifference(firstData, checked[0]!.data) : null);
      if (difference) throw new Error(`the gateways answered different data; first difference at ${difference}`);
      firstData ??= checked[0]!.data;
      console.log(
        `check:    both answer HeavyNested with 200, no errors and the same data ` +
          `(stock ${(checked[0]!.bytes / 1024).toFixed(1)} KiB, ours ${(checked[1]!.bytes / 1024).toFixed(1)} KiB)` +
          (fetches.length ? `; subgraph requests per operation: stock ${fetches[0]}, ours ${fetches[1]}` : ''),
      );

      const stackPid = inProcess ? undefined : stack.pid;
      const pids: Pids = mode === 'replay' ? { subgraphs: running.replay!.pid, stack: stackPid } : { subgraphs: stackPid };
      const { rows, ramps } = await measurePair(
        targets,
        pids,
        running.replay,
        payload,
        seconds,
        slices,
        warmUpSeconds,
        connections,
      );
      results.set(mode, rows);
      printRows(mode, rows);

      if (profiling && mode === profileMode) {
        console.log(`\nCPU profiles (${mode} round, same load):`);
        printProfiles(
          await profilePair(targets, payload, ramps, profileSeconds, slices, connections, profileIntervalUs, profileDir),
          top,
        );
      }
      await closeGateways();
    }

    console.log('\nsummary, ours / stock:');
    for (const [mode, [stock, ours]] of results) {
      console.log(
        `  ${mode.padEnd(6)} throughput ${ratio(ours.requestsPerSecond, stock.requestsPerSecond)} ` +
          `(${ours.requestsPerSecond.toFixed(0)} vs ${stock.requestsPerSecond.toFixed(0)} req/s), ` +
          `p95 ${ratio(ours.p95, stock.p95)} (${ms(ours.p95)} vs ${ms(stock.p95)} ms)` +
          (ours.gatewayCpu !== null && stock.gatewayCpu !== null
            ? `, gateway CPU per operation ${ratio(cpuPerOperation(ours), cpuPerOperation(stock))} ` +
              `(${ms(cpuPerOperation(ours))} vs ${ms(cpuPerOperation(stock))} ms)`
            : ''),
      );
    }
  } catch (error) {
    console.error(`\nbenchmark aborted: ${(error as Error).message}`);
    exitCode = 1;
  } finally {
    await release();
  }
  console.log(`\ndone in ${elapsed()}`);
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
