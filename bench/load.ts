/**
 * Mixed load: anonymous catalogue browsing, signed-in edits, model downloads and sign-ins at once, for a fixed
 * time at a fixed concurrency, through the gateway; then the very same requests straight to the subgraphs
 * (keyboards for the catalogue, edits and downloads; users for sign-ins). Per scenario and per operation:
 * requests/s, p50/p95/p99 latency, errors, and gateway/direct throughput.
 *
 *   npm run bench:load                                  (from the repository root)
 *   BENCH_SECONDS=60 BENCH_CONNECTIONS=40 npm run bench:load
 *
 * The gateway and each subgraph run in a process of their own, as `npm start` runs them (src/deployed-stack.ts),
 * with a signed-in user and accounts to sign in with; everything the run makes is removed when the stack closes.
 * A benchmark, not a test.
 */
import os from 'node:os';
import { machine, positiveInt, table } from './src/common';
import { cpuShares, machineBusyShare, readCpu, type CpuReadings } from './src/cpu';
import { SERVICES, startDeployedStack, type ServiceName } from './src/deployed-stack';
import { gatewayProof } from './src/gateway-proof';
import { afterWarmUp, bodiesKept, figures, type Answer } from './src/http-load';
import { checkScenario, MIX, readCatalogue, scenariosFor, type Target } from './src/load-scenarios';
import { runMix, splitConnections, type Scenario, type ScenarioResult } from './src/mixed-load';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';

const WARM_UP_SECONDS = 2;
/** Accounts the sign-ins take in turn, each from its own client address. */
const SIGN_IN_ACCOUNTS = 20;

const BACKING_SERVICES = { PostgreSQL: 'postgres', Redis: 'redis-server', RabbitMQ: 'beam.smp' };

interface Run {
  target: Target;
  results: ScenarioResult[];
  /** Shares of one core over the measured seconds: each of SERVICES, `bench`, `machine`, BACKING_SERVICES. */
  cpu: CpuReadings;
}

async function measure(target: Target, scenarios: Scenario[], seconds: number, pids: Record<ServiceName, number>): Promise<Run> {
  const cpu = () => readCpu({ ...pids, ...BACKING_SERVICES });
  const run = await afterWarmUp(target.name, WARM_UP_SECONDS, seconds, async (seconds) => {
    const [before, started] = [cpu(), process.hrtime.bigint()];
    const results = await runMix(scenarios, seconds);
    return { results, cpu: cpuShares(before, cpu(), Number(process.hrtime.bigint() - started) / 1e9) };
  });
  process.stdout.write(`${rate(run.results).toFixed(0)} req/s\n`);
  return { target, ...run };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');
const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
const rate = (results: ScenarioResult[]) => results.reduce((sum, result) => sum + result.answers.length / result.seconds, 0);
const failuresOf = (answers: Answer[]) => {
  const { non2xx, graphqlErrors } = figures(answers, 1);
  return non2xx + graphqlErrors;
};
const errorsOf = (results: ScenarioResult[]) =>
  results.reduce((sum, result) => sum + result.errors + failuresOf(result.answers), 0);

/** One side's cells: requests/s, latency quantiles (ms), errors. */
function side(answers: Answer[], perSecond: number, errors: number, quantiles: ('p50' | 'p95' | 'p99')[]): string[] {
  const latencies = figures(answers, 1);
  return [perSecond.toFixed(1), ...quantiles.map((q) => ms(latencies[q])), String(errors)];
}

function print(gateway: Run, direct: Run): void {
  const columns = (names: string[]) => ['gw', 'dir'].flatMap((which) => names.map((name) => `${which} ${name}`));
  const scenarioSide = (results: ScenarioResult[]) => {
    const answers = results.flatMap((result) => result.answers);
    return side(answers, rate(results), errorsOf(results), ['p50', 'p95', 'p99']);
  };
  const scenarioRow = (name: string, g: ScenarioResult[], d: ScenarioResult[]) => {
    const connections = g.reduce((sum, result) => sum + result.scenario.connections, 0);
    return [name, String(connections), ...scenarioSide(g), ...scenarioSide(d), ratio(rate(g), rate(d))];
  };
  const rows = gateway.results.map((viaGateway, i) => scenarioRow(viaGateway.scenario.name, [viaGateway], [direct.results[i]!]));
  rows.push(scenarioRow('all', gateway.results, direct.results));
  console.log('\nper scenario (gw = through the gateway, dir = straight to the subgraph; latencies in ms):\n');
  console.log(table(['scenario', 'conns', ...columns(['req/s', 'p50', 'p95', 'p99', 'err']), 'gw/dir'], rows));

  const share = ({ results }: Run) => {
    const total = results.reduce((sum, result) => sum + result.answers.length, 0);
    return results.map((result) => `${result.scenario.name} ${((100 * result.answers.length) / total).toFixed(1)}%`).join(', ');
  };
  console.log(`\nrequest mix through the gateway: ${share(gateway)}`);
  console.log(`request mix straight:            ${share(direct)}`);

  const stepSide = (answers: Answer[], seconds: number) =>
    side(answers, answers.length / seconds, failuresOf(answers), ['p50', 'p99']);
  const operations = gateway.results.flatMap((viaGateway, i) =>
    viaGateway.steps.map((step, j) => {
      const straight = direct.results[i]!;
      const other = straight.steps[j]!.answers;
      const ratioOf = ratio(step.answers.length / viaGateway.seconds, other.length / straight.seconds);
      return [
        `${viaGateway.scenario.name}: ${step.name}`,
        ...stepSide(step.answers, viaGateway.seconds),
        ...stepSide(other, straight.seconds),
        ratioOf,
      ];
    }),
  );
  console.log('\nper operation (errors here: non-2xx and GraphQL errors; socket errors are per scenario):\n');
  console.log(table(['operation', ...columns(['req/s', 'p50', 'p99', 'err']), 'gw/dir'], operations));

  const failed = [gateway, direct].flatMap((run) =>
    run.results
      .filter((result) => errorsOf([result]) > 0 || result.resets > 0)
      .map((result) => {
        const { non2xx, graphqlErrors } = figures(result.answers, 1);
        const lines = [
          `  ${run.target.name}, ${result.scenario.name}: socket errors ${result.errors - result.timeouts}, timeouts ${result.timeouts}, ` +
            `non-2xx ${non2xx}, GraphQL errors ${graphqlErrors}, steps started over ${result.resets}`,
        ];
        for (const step of result.steps) if (step.firstFailure) lines.push(`    first failed ${step.name}: ${step.firstFailure}`);
        return lines.join('\n');
      }),
  );
  console.log(
    failed.length ? `\nerrors:\n${failed.join('\n')}` : '\nerrors: none (no socket error, timeout, non-2xx or GraphQL error)',
  );

  const counted = ['bench', ...SERVICES, ...Object.keys(BACKING_SERVICES)];
  const other = ({ cpu }: Run) => Math.max(0, cpu.machine - counted.reduce((sum, name) => sum + (cpu[name] ?? 0), 0));
  console.log(`\nCPU over the measured seconds (100% = one core, ${os.cpus().length * 100}% = the machine):\n`);
  console.log(
    table(
      ['', 'machine', ...counted, 'other'],
      [gateway, direct].map((run) => [
        run.target.name,
        ...['machine', ...counted].map((name) => percent(run.cpu[name] ?? null)),
        percent(other(run)),
      ]),
    ),
  );
  console.log(
    'bench: this process, autocannon; gateway, users, keyboards, stats: each its own process (its event loop and\n' +
      'thread pool: Argon2id, file reads); PostgreSQL, Redis, RabbitMQ: their process trees (a process that ended\n' +
      'during the run is missed); other: the rest of the machine (other programs, the kernel).',
  );
  if (bodiesKept) console.log('\nWARNING: this autocannon keeps response bodies (no pipelinedRequests.addBody to replace).');
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 20);
  const connections = positiveInt('BENCH_CONNECTIONS', 20);
  const weights = MIX.map((entry) => entry.weight);
  const split = splitConnections(connections, weights);
  console.log('KeyLab mixed load benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per run after a ${WARM_UP_SECONDS} s warm-up, ${connections} connections ` +
      `(${MIX.map((entry, i) => `${entry.name} ${split[i]}`).join(', ')}), no pipelining; ` +
      'gateway, users, keyboards and stats each in its own process, the load generator in this one',
  );

  const stack = await closeAtEnd('the stack', startDeployedStack({ signInAccounts: SIGN_IN_ACCOUNTS }));
  console.log(`stack up after ${elapsed()} (NODE_ENV=${stack.nodeEnv})`);
  const catalogue = await readCatalogue(stack.gatewayUrl);
  const sizes = catalogue.models.map((model) => model.byteSize / 1000);
  console.log(
    `catalogue: ${catalogue.counts}; downloads pick one of their ${catalogue.models.length} model files ` +
      `(${Math.min(...sizes).toFixed(1)} to ${Math.max(...sizes).toFixed(1)} kB) at random`,
  );
  console.log(
    `sign-ins: ${stack.accounts.length} accounts made for this run (Argon2id, as sign-up hashes), taken in turn, each from ` +
      `its own client address (198.18.0.x): X-Forwarded-For to the gateway (which trusts its loopback peer), ` +
      `X-Client-IP straight to the users subgraph (as the gateway sends it, with a fresh gateway proof over it). Rate limits are the defaults: they ` +
      `count failed sign-ins only (30 per address in 5 min, 10 per account in 15 min), and every sign-in here succeeds.`,
  );

  const gatewayUrl = new URL(stack.gatewayUrl);
  const [keyboardsUrl, usersUrl] = [new URL(stack.subgraphUrls.keyboards), new URL(stack.subgraphUrls.users)];
  const targets: Target[] = [
    {
      name: 'through the gateway',
      graphql: { catalogue: gatewayUrl, edits: gatewayUrl, signIns: gatewayUrl },
      files: gatewayUrl.origin,
      clientAddressHeader: 'x-forwarded-for',
    },
    {
      name: 'straight to the subgraphs',
      graphql: { catalogue: keyboardsUrl, edits: keyboardsUrl, signIns: usersUrl },
      files: keyboardsUrl.origin,
      clientAddressHeader: 'x-client-ip',
      sign: gatewayProof(stack.gatewaySecret),
    },
  ];
  const plans = targets.map((target) => ({ target, scenarios: scenariosFor(target, split, catalogue, stack) }));
  for (const { target, scenarios } of plans) {
    for (const scenario of scenarios) await checkScenario(target, scenario, catalogue);
  }
  console.log(
    'checks: every step of every scenario answered 200 with data and no errors (downloads: every model file whole), both ways',
  );

  const busyBefore = await machineBusyShare(2);
  console.log(
    `machine before the load: ${(busyBefore * 100).toFixed(0)}% busy over 2 s (100% = one core)` +
      (busyBefore > 0.25 ? ' WARNING: something else is running; the numbers will show it' : ''),
  );

  console.log('\nload:');
  const gateway = await measure(plans[0]!.target, plans[0]!.scenarios, seconds, stack.pids);
  const direct = await measure(plans[1]!.target, plans[1]!.scenarios, seconds, stack.pids);
  print(gateway, direct);
});
