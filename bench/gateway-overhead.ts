/**
 * Gateway overhead: the same one-subgraph query sent straight to the keyboards subgraph and through the gateway,
 * plus a two-subgraph entity join through the gateway, each under the same fixed load.
 *
 *   npm run bench                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench
 *
 * The stack runs in a child process (BENCH_IN_PROCESS=1: in this one). A benchmark, not a test.
 */
import { machine, positiveInt, table } from './src/common';
import { gatewayProof, type Sign } from './src/gateway-proof';
import { queryData } from './src/graphql';
import { afterWarmUp, figures, runLoad, type Figures } from './src/http-load';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';
import { startBenchStack } from './src/stack-process';

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
  errors: number;
}

async function measure(target: Target, seconds: number, connections: number): Promise<Row> {
  const load = (seconds: number) =>
    runLoad({
      url: target.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: JSON.stringify({ query: target.query }),
      sign: target.sign,
      connections,
      seconds,
      graphql: true,
    });
  const result = await afterWarmUp(target.name, WARM_UP_SECONDS, seconds, load);
  const row = { target, errors: result.errors, ...figures(result.answers, result.seconds) };
  process.stdout.write(`${Math.round(row.perSecond)} req/s\n`);
  return row;
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  console.log('KeyLab gateway overhead benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per target after a ${WARM_UP_SECONDS} s warm-up, ${connections} connections, no pipelining, JSON POST; ` +
      `stack ${inProcess ? 'in the benchmark process' : 'in a child process'}`,
  );

  const stack = await closeAtEnd('the stack', startBenchStack(inProcess));
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
  for (const target of targets) rows.push(await measure(target, seconds, connections));

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
  const [direct, viaGateway] = rows as [Row, Row, Row];
  console.log('\nquery A, gateway / direct:');
  console.log(`  throughput  ${(viaGateway.perSecond / direct.perSecond).toFixed(2)}x`);
  console.log(`  p50 latency ${(viaGateway.p50 / direct.p50).toFixed(2)}x (+${ms(viaGateway.p50 - direct.p50)} ms)`);
  console.log(`  p99 latency ${(viaGateway.p99 / direct.p99).toFixed(2)}x (+${ms(viaGateway.p99 - direct.p99)} ms)`);
});
