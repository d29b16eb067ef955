/**
 * Gateway overhead: the same one-subgraph query sent straight to the keyboards subgraph and through the gateway,
 * plus a two-subgraph entity join through the gateway, each under the same fixed load.
 *
 *   npm run bench                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench
 *
 * The gateway and each subgraph run in a process of their own, as `npm start` runs them (src/deployed-stack.ts);
 * the load generator runs here. A benchmark, not a test.
 */
import { machine, positiveInt, table } from './src/common';
import { cpuShares, msPerRequest, readCpu, type CpuReadings } from './src/cpu';
import { SERVICES, startDeployedStack, type ServiceName } from './src/deployed-stack';
import { gatewayProof, type Sign } from './src/gateway-proof';
import { queryData } from './src/graphql';
import { afterWarmUp, figures, runLoad, type Figures } from './src/http-load';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';

const QUERY_A = '{ switches(first: 4) { totalCount nodes { id title } } boxTypes { id title keyCount } }';
const QUERY_B = '{ me { nickname keyboards { totalCount } } }';
const WARM_UP_SECONDS = 2;

interface Target {
  name: string;
  url: string;
  query: string;
  headers: Record<string, string>;
  /** Straight to a subgraph: every request gets a fresh gateway proof, as the gateway signs its own. */
  sign?: Sign;
}

interface Row extends Figures {
  target: Target;
  seconds: number;
  errors: number;
  /** Shares of one core over the measured seconds: each process of the system, `bench`, `machine`. */
  cpu: CpuReadings;
}

async function measure(target: Target, seconds: number, connections: number, pids: Record<ServiceName, number>): Promise<Row> {
  const load = async (seconds: number) => {
    const before = readCpu(pids);
    const result = await runLoad({
      url: target.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: JSON.stringify({ query: target.query }),
      sign: target.sign,
      connections,
      seconds,
      graphql: true,
    });
    return { result, before, after: readCpu(pids) };
  };
  const { result, before, after } = await afterWarmUp(target.name, WARM_UP_SECONDS, seconds, load);
  const cpu = cpuShares(before, after, result.seconds);
  const row = { target, seconds: result.seconds, errors: result.errors, cpu, ...figures(result.answers, result.seconds) };
  process.stdout.write(`${Math.round(row.perSecond)} req/s\n`);
  return row;
}

function printCpu(rows: Row[]): void {
  const perRequest = (row: Row, name: string) => msPerRequest(row.cpu[name], row.seconds, row.requests)?.toFixed(2) ?? 'n/a';
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  console.log('\nCPU ms per request of each process, and the load generator and the machine busy (100% = one core):\n');
  console.log(
    table(
      ['target', ...SERVICES, 'load generator', 'machine'],
      rows.map((row) => [
        row.target.name,
        ...SERVICES.map((name) => perRequest(row, name)),
        percent(row.cpu.bench),
        percent(row.cpu.machine),
      ]),
    ),
  );
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  console.log('KeyLab gateway overhead benchmark');
  console.log(`machine:  ${machine()}`);
  const stack = await closeAtEnd('the stack', startDeployedStack());
  console.log(
    `settings: ${seconds} s per target after a ${WARM_UP_SECONDS} s warm-up, ${connections} connections, no pipelining, JSON POST; ` +
      `gateway, users, keyboards and stats each in its own process (NODE_ENV=${stack.nodeEnv}), the load generator in this one`,
  );
  console.log(`stack up in ${elapsed()}\n`);
  const targets: Target[] = [
    {
      name: 'A  keyboards subgraph, direct',
      url: stack.subgraphUrls.keyboards,
      query: QUERY_A,
      headers: {},
      sign: gatewayProof(stack.gatewaySecret),
    },
    { name: 'A  via gateway', url: stack.gatewayUrl, query: QUERY_A, headers: {} },
    {
      name: 'B  via gateway (users + keyboards, signed in)',
      url: stack.gatewayUrl,
      query: QUERY_B,
      headers: { authorization: `Bearer ${stack.token}` },
    },
  ];
  for (const { name, url, headers, sign, query } of targets) await queryData(name, url, sign?.(headers) ?? headers, query);
  const rows: Row[] = [];
  for (const target of targets) rows.push(await measure(target, seconds, connections, stack.pids));

  const ms = (value: number) => value.toFixed(2);
  console.log(`\nA = ${QUERY_A}\nB = ${QUERY_B}\n`);
  console.log(
    table(
      ['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'gql errors'],
      rows.map((row) => [
        row.target.name,
        row.perSecond.toFixed(0),
        ms(row.p50),
        ms(row.p95),
        ms(row.p99),
        String(row.errors),
        String(row.non2xx),
        String(row.graphqlErrors),
      ]),
    ),
  );
  printCpu(rows);
  const [direct, viaGateway] = rows as [Row, Row, Row];
  console.log('\nquery A, gateway / direct:');
  console.log(`  throughput  ${(viaGateway.perSecond / direct.perSecond).toFixed(2)}x`);
  console.log(`  p50 latency ${(viaGateway.p50 / direct.p50).toFixed(2)}x (+${ms(viaGateway.p50 - direct.p50)} ms)`);
  console.log(`  p99 latency ${(viaGateway.p99 / direct.p99).toFixed(2)}x (+${ms(viaGateway.p99 - direct.p99)} ms)`);

  // The hop itself: one connection, so that nothing queues.
  const hopSeconds = positiveInt('BENCH_HOP_SECONDS', 5);
  const [alone, aloneVia] = [
    await measure(targets[0]!, hopSeconds, 1, stack.pids),
    await measure(targets[1]!, hopSeconds, 1, stack.pids),
  ];
  console.log(`
query A at one connection: direct p50 ${ms(alone.p50)} ms, via gateway ${ms(aloneVia.p50)} ms`);
  console.log('\nsummary:');
  console.log(`catalogue gateway vs direct throughput: ${(viaGateway.perSecond / direct.perSecond).toFixed(2)}x`);
  console.log(`catalogue gateway vs direct p50: ${(viaGateway.p50 / direct.p50).toFixed(2)}x`);
  console.log(`catalogue hop ms at one connection: ${ms(aloneVia.p50 - alone.p50)}`);
});
