/**
 * Gateway overhead: the same one-subgraph query sent straight to the keyboards subgraph and through the
 * gateway, plus a two-subgraph entity join through the gateway, each under the same fixed load.
 *
 *   npm run bench                                  (from the repository root)
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench
 *
 * The stack (users, keyboards, stats subgraphs and the gateway, over the keylab_*_test databases) runs in a
 * child process, so that autocannon does not share an event loop with the servers it measures;
 * BENCH_IN_PROCESS=1 runs everything in one process instead. A benchmark, not a test: nothing here
 * asserts on timing.
 */
import autocannon from 'autocannon';
import { machine, percentile, positiveInt, table } from './src/common';
import { startBenchStack } from './src/stack-process';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const QUERY_A = '{ switches(first: 4) { totalCount nodes { id title } } boxTypes { id title keyCount } }';
const QUERY_B = '{ me { nickname keyboards { totalCount } } }';

interface Target {
  name: string;
  url: string;
  query: string;
  token?: string;
}

interface Row {
  target: Target;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  graphqlErrors: number;
}

function requestHeaders(target: Target): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  };
}

/** One request before any load: the target must answer 200 with data and no GraphQL errors. */
async function checkTarget(target: Target): Promise<void> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: requestHeaders(target),
      body: JSON.stringify({ query: target.query }),
    });
  } catch (error) {
    throw new Error(`${target.name}: request to ${target.url} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: { data?: unknown; errors?: unknown[] } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  if (response.status !== 200 || !body || body.errors?.length || body.data == null) {
    throw new Error(
      `${target.name}: the check request got HTTP ${response.status}, expected 200 with data and no errors:\n${text.slice(0, 1000)}`,
    );
  }
}

async function load(target: Target, seconds: number, connections: number) {
  const latencies: number[] = [];
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    headers: requestHeaders(target),
    body: JSON.stringify({ query: target.query }),
    connections,
    duration: seconds,
    // A 200 can still carry GraphQL errors; autocannon counts these as mismatches.
    verifyBody: (body) => !body.includes('"errors":'),
  });
  // autocannon's own histogram keeps whole milliseconds and no p95; record the exact times instead.
  instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await instance;
  return { result, latencies: Float64Array.from(latencies).sort() };
}

async function measure(target: Target, seconds: number, warmUpSeconds: number, connections: number): Promise<Row> {
  process.stdout.write(`  ${target.name}: warm-up ${warmUpSeconds} s, `);
  await load(target, warmUpSeconds, connections);
  process.stdout.write(`measuring ${seconds} s... `);
  const { result, latencies } = await load(target, seconds, connections);
  const row: Row = {
    target,
    requestsPerSecond: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.errors,
    non2xx: result.non2xx,
    graphqlErrors: result.mismatches,
  };
  process.stdout.write(`${Math.round(row.requestsPerSecond)} req/s\n`);
  return row;
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const warmUpSeconds = 2;
  const inProcess = process.env.BENCH_IN_PROCESS === '1';

  console.log('KeyLab gateway overhead benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per target after a ${warmUpSeconds} s warm-up, ${connections} connections, no pipelining, JSON POST; ` +
      `stack ${inProcess ? 'in the benchmark process' : 'in a child process'}`,
  );

  const started = Date.now();
  const stack = await startBenchStack(inProcess);
  console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  let exitCode = 0;
  try {
    const targets: Target[] = [
      { name: 'A  keyboards subgraph, direct', url: stack.keyboardsUrl, query: QUERY_A },
      { name: 'A  via gateway', url: stack.gatewayUrl, query: QUERY_A },
      { name: 'B  via gateway (users + keyboards, signed in)', url: stack.gatewayUrl, query: QUERY_B, token: stack.token },
    ];
    for (const target of targets) await checkTarget(target);

    const rows: Row[] = [];
    for (const target of targets) rows.push(await measure(target, seconds, warmUpSeconds, connections));

    const ms = (value: number) => value.toFixed(2);
    console.log(`\nA = ${QUERY_A}\nB = ${QUERY_B}\n`);
    console.log(
      table(
        ['target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx', 'gql errors'],
        rows.map((row) => [
          row.target.name,
          row.requestsPerSecond.toFixed(0),
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
    console.log(`  throughput  ${(viaGateway.requestsPerSecond / direct.requestsPerSecond).toFixed(2)}x`);
    console.log(`  p50 latency ${(viaGateway.p50 / direct.p50).toFixed(2)}x (+${ms(viaGateway.p50 - direct.p50)} ms)`);
    console.log(`  p99 latency ${(viaGateway.p99 / direct.p99).toFixed(2)}x (+${ms(viaGateway.p99 - direct.p99)} ms)`);
  } catch (error) {
    console.error(`\nbenchmark aborted: ${(error as Error).message}`);
    exitCode = 1;
  } finally {
    await stack.close();
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
