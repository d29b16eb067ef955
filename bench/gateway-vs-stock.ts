/**
 * Our gateway against a stock Apollo Gateway 2.14 set up the default way, on our supergraph and one heavy nested
 * query with entity fetches across subgraphs (in the spirit of The Guild's federation gateway benchmark), under the
 * same load in alternating slices; then where each gateway spends its CPU on that query (V8 sampling profiles).
 *
 *   npm run bench:gateway                                (from the repository root)
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=50 npm run bench:gateway
 *
 * Two rounds, each with a fresh pair of gateways, each gateway alone in its own child process: live (the real
 * subgraphs, where they can be the limit) and replay (src/replay-subgraphs.ts: the gateways' own cost).
 */
import { deepStrictEqual } from 'node:assert/strict';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine, positiveInt, table } from './src/common';
import { machineBusyShare } from './src/cpu';
import { startGatewayProcess, type SubgraphUrls } from './src/gateway-process';
import { expectData } from './src/graphql';
import { HEAVY_QUERY, OWNED_ITEMS } from './src/heavy-query';
import { printProfiles } from './src/profile-report';
import { startReplaySubgraphs, type RunningReplay } from './src/replay-subgraphs';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';
import { measurePair, profilePair, type Round, type Row, type Target } from './src/slices';
import { startBenchStack } from './src/stack-process';

/**
 * The only setting of ours that differs from the stack's. GraphQL Armor's cost estimate puts the heavy query near
 * 69,000, far over the default of 5,000; it is a validation rule, and Apollo Server validates a document once.
 */
const OUR_SETTINGS = { GRAPHQL_MAX_COST: '1000000' };

type Mode = 'live' | 'replay';

const MODE_TITLES: Record<Mode, string> = {
  live: 'live: the gateways call the real subgraphs (one process, PostgreSQL, Redis)',
  replay: "replay: the gateways call a proxy replaying the subgraphs' recorded answers (the gateways' own cost)",
};

const ms = (value: number) => value.toFixed(2);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
/** CPU ms per operation of one of the row's processes, or null when unknown. */
const cpuMs = (row: Row, name = 'gateway') => {
  const share = row.cpu[name];
  return share == null ? null : (share * row.seconds * 1000) / Math.max(1, row.requests);
};

function printRows(mode: Mode, rows: [Row, Row]): void {
  console.log('');
  console.log(
    table(
      ['gateway', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'timeouts', 'non-2xx', 'gql errors'],
      rows.map((row) => [
        row.target.name,
        row.perSecond.toFixed(1),
        ...[row.p50, row.p95, row.p99].map(ms),
        ...[row.errors, row.timeouts, row.non2xx, row.graphqlErrors].map(String),
      ]),
    ),
  );
  const replaying = mode === 'replay';
  const processes = ['gateway', 'subgraphs', ...(replaying ? ['stack'] : [])];
  const cpu = (share: number | null | undefined) => (share == null ? 'n/a' : `${Math.round(share * 100)}%`);
  const perOperation = (row: Row, name: string) => (cpuMs(row, name) === null ? 'n/a' : ms(cpuMs(row, name)!));
  const rest = ({ cpu }: Row) => cpu.machine - cpu.bench - processes.reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
  console.log(
    '\nCPU while measuring (100% = one core) and per operation (ms); the rest: PostgreSQL, Redis, RabbitMQ and\n' +
      'anything else running on the machine',
  );
  const header = ['gateway', replaying ? 'replay proxy' : 'subgraphs', ...(replaying ? ['stack (stats)'] : [])].flatMap(
    (name) => [name, 'ms/op'],
  );
  console.log(
    table(
      ['gateway', ...header, 'load generator', 'the rest', 'machine'],
      rows.map((row) => [
        row.target.name,
        ...processes.flatMap((name) => [cpu(row.cpu[name]), perOperation(row, name)]),
        ...[row.cpu.bench, rest(row), row.cpu.machine].map(cpu),
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
  console.log(`  throughput        ${ratio(ours.perSecond, stock.perSecond)}`);
  for (const p of ['p50', 'p95', 'p99'] as const) console.log(`  ${p} latency       ${ratio(ours[p], stock[p])}`);
  const [oursCpu, stockCpu] = [cpuMs(ours), cpuMs(stock)];
  if (oursCpu !== null && stockCpu !== null) console.log(`  gateway CPU/op    ${ratio(oursCpu, stockCpu)}`);
}

/** One operation through each: 200, no errors, the same data (and the same as the round before). */
async function check(targets: [Target, Target], payload: Round['payload'], replay: RunningReplay | undefined, before: unknown) {
  const checked: { data: unknown; bytes: number }[] = [];
  const fetches: number[] = [];
  for (const target of targets) {
    const countsBefore = await replay?.counts();
    const { origin, pathname } = new URL(target.gateway.url);
    const { data, text } = await expectData(target.name, origin, { method: 'POST', path: pathname, ...payload });
    checked.push({ data, bytes: Buffer.byteLength(text) });
    const counts = await replay?.counts();
    if (countsBefore && counts)
      fetches.push(counts.replayed + counts.passedThrough - countsBefore.replayed - countsBefore.passedThrough);
  }
  const [stock, ours] = checked as [{ data: unknown; bytes: number }, { data: unknown; bytes: number }];
  try {
    deepStrictEqual(ours.data, stock.data);
    deepStrictEqual(stock.data, before ?? stock.data);
  } catch (error) {
    throw new Error(`the gateways answered different data:\n${(error as Error).message}`);
  }
  console.log(
    `check:    both answer HeavyNested with 200, no errors and the same data ` +
      `(stock ${(stock.bytes / 1024).toFixed(1)} KiB, ours ${(ours.bytes / 1024).toFixed(1)} KiB)` +
      (fetches.length ? `; subgraph requests per operation: stock ${fetches[0]}, ours ${fetches[1]}` : ''),
  );
  return stock.data;
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
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
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
    `settings: ${seconds} s per gateway (${slices} alternating slices) after a ${warmUpSeconds} s warm-up, ` +
      `${connections} connections, no pipelining, JSON POST; rounds: ${modes.join(', ')}; each gateway in its own process ` +
      `(NODE_ENV=${nodeEnv}), the subgraphs ${inProcess ? 'in the benchmark process' : 'in a child process'}; ` +
      `ours with ${settings.join(' ')}` +
      (profiling
        ? `; then a ${profileSeconds} s CPU profile of each gateway in the ${profileMode} round (a sample every ${profileIntervalUs} µs)`
        : ''),
  );

  const stack = await closeAtEnd('the stack', startBenchStack(inProcess, { ownedItems: OWNED_ITEMS }));
  console.log(
    `stack up after ${elapsed()} (pid ${stack.pid}); data: a user with ${OWNED_ITEMS.keyboards} keyboards, ` +
      `${OWNED_ITEMS.boxes} boxes and ${OWNED_ITEMS.kits} kits (copies of the default catalogue), removed at the end`,
  );
  const payload = {
    body: JSON.stringify({ query: HEAVY_QUERY, variables: { id: stack.owned.keyboards[0] } }),
    // A returning visitor: ours sets no new cookie, and closing the stack removes this visitor's statistics.
    headers: { 'content-type': 'application/json', 'x-visitor-id': `${stack.visitorPrefix}gateway-vs-stock` },
  };
  const stackPid = inProcess ? undefined : stack.pid;

  const results = new Map<Mode, [Row, Row]>();
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
    const targets: [Target, Target] = [
      { kind: 'stock', name: 'stock @apollo/gateway', gateway: stock },
      { kind: 'ours', name: 'ours (@keylab/gateway)', gateway: ours },
    ];
    firstData = await check(targets, payload, replay, firstData);

    const round: Round =
      mode === 'replay'
        ? { targets, payload, connections, subgraphsPid: replay!.pid, stackPid, replay }
        : { targets, payload, connections, subgraphsPid: stackPid };
    const { rows, ramps } = await measurePair(round, seconds, slices, warmUpSeconds);
    results.set(mode, rows);
    printRows(mode, rows);
    if (profiling && mode === profileMode) {
      console.log(`\nCPU profiles (${mode} round, same load):`);
      const profiles = await profilePair(round, ramps, profileSeconds, slices, profileIntervalUs, profileDir);
      printProfiles(profiles.get('ours')!, profiles.get('stock')!, top);
    }
    await Promise.all([stock.close(), ours.close()]);
  }

  console.log('\nsummary, ours / stock:');
  for (const [mode, [stock, ours]] of results) {
    const [oursCpu, stockCpu] = [cpuMs(ours), cpuMs(stock)];
    console.log(
      `  ${mode.padEnd(6)} throughput ${ratio(ours.perSecond, stock.perSecond)} ` +
        `(${ours.perSecond.toFixed(0)} vs ${stock.perSecond.toFixed(0)} req/s), ` +
        `p95 ${ratio(ours.p95, stock.p95)} (${ms(ours.p95)} vs ${ms(stock.p95)} ms)` +
        (oursCpu !== null && stockCpu !== null
          ? `, gateway CPU per operation ${ratio(oursCpu, stockCpu)} (${ms(oursCpu)} vs ${ms(stockCpu)} ms)`
          : ''),
    );
  }
});
