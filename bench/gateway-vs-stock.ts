/**
 * Our gateway against a stock Apollo Gateway 2.14 set up the default way, on our supergraph and one heavy nested
 * query with entity fetches across subgraphs (in the spirit of The Guild's federation gateway benchmark), under the
 * same load in alternating slices; then where each gateway spends its CPU on that query (V8 sampling profiles).
 *
 *   npm run bench:gateway                                (from the repository root)
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=50 npm run bench:gateway
 *
 * Two rounds, each with a fresh pair of gateways, each gateway alone in its own child process: live (the real
 * subgraphs, each in its own process as `npm start` runs them, where they can be the limit; beside them the floor,
 * src/floor-server.ts: the same answer from PostgreSQL with hand-written SQL) and replay (src/replay-subgraphs.ts:
 * the gateways' own cost).
 */
import { deepStrictEqual } from 'node:assert/strict';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine, positiveInt, table } from './src/common';
import { machineBusyShare, msPerRequest } from './src/cpu';
import { startDeployedStack, type DeployedStack } from './src/deployed-stack';
import { startFloorServer } from './src/floor-server';
import { startGatewayProcess, type SubgraphUrls } from './src/gateway-process';
import { expectData } from './src/graphql';
import { HEAVY_QUERY, OWNED_ITEMS } from './src/heavy-query';
import { printProfiles } from './src/profile-report';
import { startReplaySubgraphs, type ReplayCounts, type RunningReplay } from './src/replay-subgraphs';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';
import { measureRound, profileGateways, type Round, type Row, type Target, type TargetKind } from './src/slices';

/**
 * The only setting of ours that differs from the stack's. GraphQL Armor's cost estimate puts the heavy query near
 * 69,000, far over the default of 5,000; it is a validation rule, and Apollo Server validates a document once.
 */
const OUR_SETTINGS = { GRAPHQL_MAX_COST: '1000000' };
const SUBGRAPHS = ['users', 'keyboards', 'stats'] as const;

type Mode = 'live' | 'replay';

const MODE_TITLES: Record<Mode, string> = {
  live: 'live: the gateways call the real subgraphs (each in its own process, PostgreSQL, Redis); the floor reads PostgreSQL itself',
  replay: "replay: the gateways call a proxy replaying the subgraphs' recorded answers (the gateways' own cost)",
};

const ms = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
/** CPU ms per operation of one of the row's processes (its own by default), or null when unknown. */
const cpuMs = (row: Row, name = 'target') => msPerRequest(row.cpu[name], row.seconds, row.requests);
const rowOf = (rows: Row[], kind: TargetKind) => rows.find((row) => row.target.kind === kind);

function printLoad(rows: Row[]): void {
  const [stock, ours, floor] = (['stock', 'ours', 'floor'] as const).map((kind) => rowOf(rows, kind));
  const ratios = (name: string, a: Row, b: Row) => [
    name,
    ratio(a.perSecond, b.perSecond),
    ...(['p50', 'p95', 'p99'] as const).map((p) => ratio(a[p], b[p])),
    ...['', '', '', ''],
  ];
  console.log('');
  console.log(
    table(
      ['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'timeouts', 'non-2xx', 'gql errors'],
      [
        ...rows.map((row) => [
          row.target.name,
          row.perSecond.toFixed(1),
          ...[row.p50, row.p95, row.p99].map(ms),
          ...[row.errors, row.timeouts, row.non2xx, row.graphqlErrors].map(String),
        ]),
        ratios('ours / stock', ours!, stock!),
        ...(floor ? [ratios('ours / floor', ours!, floor)] : []),
      ],
    ),
  );
}

function printCpu(rows: Row[], processes: string[]): void {
  const cpu = (share: number | null | undefined) => (share == null ? 'n/a' : `${Math.round(share * 100)}%`);
  const perOperation = (row: Row, name: string) => (cpuMs(row, name) === null ? 'n/a' : ms(cpuMs(row, name)!));
  const measured = ['target', ...processes];
  const rest = ({ cpu }: Row) => cpu.machine - cpu.bench - measured.reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
  console.log(
    '\nCPU while measuring (100% = one core) and per operation (ms) of each process: the target (the gateway, or the\n' +
      'floor server), each subgraph; the rest: PostgreSQL, Redis, RabbitMQ and anything else running on the machine',
  );
  console.log(
    table(
      ['target', ...['own process', ...processes].flatMap((name) => [name, 'ms/op']), 'load generator', 'the rest', 'machine'],
      rows.map((row) => [
        row.target.name,
        ...measured.flatMap((name) => [cpu(row.cpu[name]), perOperation(row, name)]),
        ...[row.cpu.bench, rest(row), row.cpu.machine].map(cpu),
      ]),
    ),
  );
}

function printRound(mode: Mode, rows: Row[], processes: string[]): void {
  printLoad(rows);
  printCpu(rows, processes);
  for (const row of rows) {
    if (!row.replay) continue;
    const all = row.replay.replayed + row.replay.passedThrough;
    console.log(`  ${row.target.name}: ${all} subgraph requests, ${percent(row.replay.replayed / Math.max(1, all))} replayed`);
  }
  const [oursCpu, stockCpu] = [cpuMs(rowOf(rows, 'ours')!), cpuMs(rowOf(rows, 'stock')!)];
  if (oursCpu !== null && stockCpu !== null)
    console.log(`\n${mode}, gateway CPU per operation, ours / stock: ${ratio(oursCpu, stockCpu)}`);
}

const requestsOf = (counts: ReplayCounts) => counts.replayed + counts.passedThrough;

function same(what: string, actual: unknown, expected: unknown): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (error) {
    throw new Error(`${what}:\n${(error as Error).message}`);
  }
}

/** One operation through each target: 200, no errors, the same data (and the same as the round before). */
async function check(targets: Target[], payload: Round['payload'], replay: RunningReplay | undefined, before: unknown) {
  const answers = new Map<TargetKind, { data: unknown; bytes: number; fetches?: number }>();
  for (const target of targets) {
    const countsBefore = await replay?.counts();
    const { origin, pathname } = new URL(target.url);
    const { data, text } = await expectData(target.name, origin, { method: 'POST', path: pathname, ...payload });
    const counts = await replay?.counts();
    const fetches = countsBefore && counts ? requestsOf(counts) - requestsOf(countsBefore) : undefined;
    answers.set(target.kind, { data, bytes: Buffer.byteLength(text), fetches });
  }
  const [stock, ours, floor] = (['stock', 'ours', 'floor'] as const).map((kind) => answers.get(kind));
  same('the gateways answered different data', ours!.data, stock!.data);
  same('the gateways answered other data than in the round before', stock!.data, before ?? stock!.data);
  if (floor) same('the floor answered other data than our gateway', floor.data, ours!.data);
  const sizes = [...answers].map(([kind, answer]) => `${kind} ${(answer.bytes / 1024).toFixed(1)} KiB`).join(', ');
  console.log(
    `check:    ${[...answers.keys()].join(', ')} answer HeavyNested with 200, no errors and the same data (${sizes})` +
      (replay ? `; subgraph requests per operation: stock ${stock!.fetches}, ours ${ours!.fetches}` : ''),
  );
  return stock!.data;
}

/** The figures as `name: value` lines a script can read, then the same with their inputs. */
function printSummary(results: Map<Mode, Row[]>): void {
  const line = (name: string, value: string, detail: string) => console.log(`${name}: ${value}  (${detail})`);
  console.log('\nsummary:');
  for (const [mode, rows] of results) {
    const [stock, ours, floor] = (['stock', 'ours', 'floor'] as const).map((kind) => rowOf(rows, kind));
    line(
      `gateway vs stock ${mode}`,
      ratio(ours!.perSecond, stock!.perSecond),
      `throughput, ${ours!.perSecond.toFixed(0)} vs ${stock!.perSecond.toFixed(0)} req/s; p95 ${ms(ours!.p95)} vs ${ms(stock!.p95)} ms`,
    );
    if (floor) {
      line(
        'live vs floor',
        ratio(ours!.perSecond, floor.perSecond),
        `throughput, ${ours!.perSecond.toFixed(0)} vs ${floor.perSecond.toFixed(0)} req/s; p95 ${ms(ours!.p95)} vs ${ms(floor.p95)} ms`,
      );
    }
    if (mode === 'live') {
      const subgraphs = SUBGRAPHS.map((name) => cpuMs(ours!, name) ?? 0);
      const each = SUBGRAPHS.map((name, i) => `${name} ${ms(subgraphs[i]!)}`).join(', ');
      line('subgraph cpu ms per op', ms(subgraphs.reduce((sum, value) => sum + value, 0)), `through ours: ${each}`);
      const stockCpu = cpuMs(stock!);
      if (stockCpu !== null) line('stock gateway cpu ms per op', ms(stockCpu), 'its own process, live');
    }
  }
}

/** Beside each target's own process, the CPU of each subgraph process (and of the replay proxy). */
function processesOf(stack: DeployedStack, replay: RunningReplay | undefined): Record<string, number> {
  const subgraphs = Object.fromEntries(SUBGRAPHS.map((name) => [name, stack.pids[name]]));
  return replay ? { 'replay proxy': replay.pid, ...subgraphs } : subgraphs;
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 20);
  const connections = positiveInt('BENCH_CONNECTIONS', 50);
  const warmUpSeconds = positiveInt('BENCH_WARMUP_SECONDS', 3);
  const slices = positiveInt('BENCH_SLICES', 4);
  const profileSeconds = positiveInt('BENCH_PROFILE_SECONDS', 10);
  const profileIntervalUs = positiveInt('BENCH_PROFILE_INTERVAL_US', 500);
  const profiling = process.env.BENCH_PROFILE !== '0';
  const top = positiveInt('BENCH_PROFILE_TOP', 25);
  const nodeEnv = process.env.BENCH_NODE_ENV || 'production';
  const profileDir = (process.env.BENCH_PROFILE_DIR || fileURLToPath(new URL('../.data/bench/', import.meta.url))).replace(
    /\/$/,
    '',
  );
  const subgraphs = process.env.BENCH_SUBGRAPHS || 'both';
  if (!['both', 'live', 'replay'].includes(subgraphs))
    throw new Error(`BENCH_SUBGRAPHS must be both, live or replay, got "${subgraphs}"`);
  const modes: Mode[] = subgraphs === 'both' ? ['live', 'replay'] : [subgraphs as Mode];
  // The profile of the last round: with replayed subgraphs the gateway is the busy one.
  const profileMode = modes.at(-1)!;

  console.log('KeyLab gateway against stock Apollo Gateway');
  console.log(`machine:  ${machine()}`);
  const busyBefore = (await machineBusyShare(1)) / os.cpus().length;
  const loadAverage = os.loadavg().map((value) => value.toFixed(2));
  console.log(
    `          busy ${percent(busyBefore)} in the second before the run (load average ${loadAverage.join(' ')})` +
      (busyBefore > 0.2 ? ': something else is running, and every number below shares the cores with it' : ''),
  );
  const settings = Object.entries(OUR_SETTINGS).map(([name, value]) => `${name}=${value}`);
  console.log(
    `settings: ${seconds} s per target (${slices} alternating slices) after a ${warmUpSeconds} s warm-up, ` +
      `${connections} connections, no pipelining, JSON POST; rounds: ${modes.join(', ')}; each gateway in its own process, ` +
      `users, keyboards and stats each in its own process as npm start runs them (all NODE_ENV=${nodeEnv}); ` +
      `ours with ${settings.join(' ')}` +
      (modes.includes('live') ? '; in the live round also the floor, in its own process' : '') +
      (profiling
        ? `; then a ${profileSeconds} s CPU profile of each gateway in the ${profileMode} round (a sample every ${profileIntervalUs} µs)`
        : ''),
  );

  const stack = await closeAtEnd('the stack', startDeployedStack({ ownedItems: OWNED_ITEMS, nodeEnv }));
  const pids = Object.entries(stack.pids).map(([name, pid]) => `${name} ${pid}`);
  console.log(
    `stack up after ${elapsed()} (pids ${pids.join(', ')}; its own gateway stays idle); data: a user with ` +
      `${OWNED_ITEMS.keyboards} keyboards, ${OWNED_ITEMS.boxes} boxes and ${OWNED_ITEMS.kits} kits (copies of the default ` +
      'catalogue), removed at the end',
  );
  const payload = {
    body: JSON.stringify({ query: HEAVY_QUERY, variables: { id: stack.owned.keyboards[0] } }),
    // A returning visitor: ours sets no new cookie, and closing the stack removes this visitor's statistics.
    headers: { 'content-type': 'application/json', 'x-visitor-id': `${stack.visitorPrefix}gateway-vs-stock` },
  };
  const floor = modes.includes('live')
    ? await closeAtEnd('the floor', startFloorServer({ databaseUrls: stack.databaseUrls, filesPublicUrl: stack.filesPublicUrl }))
    : undefined;

  const results = new Map<Mode, Row[]>();
  let replay: RunningReplay | undefined;
  let firstData: unknown;
  for (const mode of modes) {
    console.log(`\n== ${MODE_TITLES[mode]}`);
    if (mode === 'replay') replay ??= await closeAtEnd('the replay proxy', startReplaySubgraphs({ ...stack.subgraphUrls }));
    const subgraphUrls = (mode === 'replay' ? replay!.urls : stack.subgraphUrls) as SubgraphUrls;
    const spec = { subgraphUrls, jwksUrl: stack.jwksUrl, statsExchange: stack.statsExchange, nodeEnv };
    // Both start at once; each is closed even when the other failed to start.
    const [stock, ours] = await Promise.all([
      closeAtEnd('the stock gateway', startGatewayProcess({ kind: 'stock', ...spec }, stack.gatewaySecret)),
      closeAtEnd('our gateway', startGatewayProcess({ kind: 'ours', ...spec, settings: OUR_SETTINGS }, stack.gatewaySecret)),
    ]);
    console.log(`gateways up after ${elapsed()}: stock (pid ${stock.pid}) ${stock.url}, ours (pid ${ours.pid}) ${ours.url}`);
    const targets: Target[] = [
      { kind: 'stock', name: 'stock @apollo/gateway', url: stock.url, pid: stock.pid, gateway: stock },
      { kind: 'ours', name: 'ours (@keylab/gateway)', url: ours.url, pid: ours.pid, gateway: ours },
    ];
    if (mode === 'live' && floor) targets.push({ kind: 'floor', name: 'floor (SQL + JSON)', url: floor.url, pid: floor.pid });
    const round: Round = {
      targets,
      payload,
      connections,
      processes: processesOf(stack, mode === 'replay' ? replay : undefined),
      replay: mode === 'replay' ? replay : undefined,
    };
    firstData = await check(targets, payload, round.replay, firstData);

    const { rows, ramps } = await measureRound(round, seconds, slices, warmUpSeconds);
    results.set(mode, rows);
    printRound(mode, rows, Object.keys(round.processes));
    if (profiling && mode === profileMode) {
      console.log(`\nCPU profiles (${mode} round, same load):`);
      const profiles = await profileGateways(round, ramps, profileSeconds, slices, profileIntervalUs, profileDir);
      printProfiles(profiles.get('ours')!, profiles.get('stock')!, top);
    }
    await Promise.all([stock.close(), ours.close()]);
  }
  printSummary(results);
});
