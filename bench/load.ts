/**
 * Mixed load: anonymous catalogue browsing, signed-in edits, model downloads and sign-ins at once, for a fixed
 * time at a fixed concurrency, through the gateway; then the very same requests straight to the subgraphs
 * (keyboards for the catalogue, edits and downloads; users for sign-ins). Per scenario and per operation:
 * requests/s, p50/p95/p99 latency, errors, and gateway/direct throughput.
 *
 *   npm run bench:load                                  (from the repository root)
 *   BENCH_SECONDS=60 BENCH_CONNECTIONS=40 npm run bench:load
 *
 * The stack (users, keyboards, stats subgraphs and the gateway, over the keylab_*_test databases) runs in a
 * child process with a signed-in user and accounts to sign in with; everything the run makes (the boxes it
 * edits, the accounts and their sessions, its visitors' statistics) is removed when the stack closes, also on
 * Ctrl-C. A benchmark, not a test: nothing here asserts on timing.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { machine, percentile, positiveInt, table } from './src/common';
import { cpuSeconds, machineBusySeconds, processRoots } from './src/cpu';
import {
  bodiesKept,
  splitConnections,
  startMix,
  type Connection,
  type HttpRequest,
  type RunningMix,
  type Scenario,
  type ScenarioResult,
} from './src/mixed-load';
import { startBenchStack, type RunningStack } from './src/stack-process';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const WARM_UP_SECONDS = 2;
/** Accounts the sign-ins take in turn, each from its own client address. */
const SIGN_IN_ACCOUNTS = 20;

/** Share of the connections each scenario gets (rounded, at least one each). */
const MIX = [
  { key: 'catalogue', name: 'catalogue browsing', weight: 65 },
  { key: 'edits', name: 'signed-in edits', weight: 15 },
  { key: 'downloads', name: 'model downloads', weight: 15 },
  { key: 'signIns', name: 'sign-ins', weight: 5 },
] as const;

type ScenarioKey = (typeof MIX)[number]['key'];

const SWITCHES_PAGE = `query SwitchesPage {
  switches(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id title preview { url } sound { url } } }
}`;
const BOXES_PAGE = `query BoxesPage($boxTypeId: ID) {
  boxes(boxTypeId: $boxTypeId, first: 20) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id title boxType { id title keyCount } preview { url } }
  }
}`;
const KEYBOARDS_PAGE = `query KeyboardsPage {
  keyboards(first: 20) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id title boxType { id title } switch { id title } preview { url } }
  }
}`;
const KEYBOARD = `query Keyboard($id: ID!) {
  keyboard(id: $id) {
    id title isDefault createdAt
    boxType { id title keyCount }
    switch { id title model { url byteSize } sound { url byteSize } preview { url } }
    model { url contentType byteSize sha256 model { vertexCount triangleCount boundingBox { min max } } }
    preview { url contentType byteSize }
  }
}`;
const CREATE_BOX = `mutation CreateBox($input: CreateBoxInput!) { createBox(input: $input) { box { id title boxType { id } createdAt } } }`;
const RENAME_BOX = `mutation RenameBox($input: RenameInput!) { renameBox(input: $input) { box { id title updatedAt } } }`;
const DELETE_BOX = `mutation DeleteBox($input: DeleteInput!) { deleteBox(input: $input) { id } }`;
const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken accessTokenExpiresAt session { id } user { id nickname } }
}`;
const CATALOGUE = `query BenchCatalogue {
  boxTypes { id }
  switches(first: 50) { nodes { id model { url byteSize } } }
  boxes(first: 50) { nodes { id model { url byteSize } } }
  keyboards(first: 50) { nodes { id model { url byteSize } } }
}`;

interface ModelFile {
  path: string;
  byteSize: number;
}

interface Catalogue {
  boxTypeIds: string[];
  keyboardIds: string[];
  counts: string;
  models: ModelFile[];
}

/** Where one run sends each scenario. */
interface Target {
  name: string;
  graphql: { catalogue: URL; edits: URL; signIns: URL };
  /** Origin of `/files/…`. */
  files: string;
  /** How the client address of a sign-in travels: as a proxy in front of the gateway would, or as the gateway does. */
  clientAddressHeader: 'x-forwarded-for' | 'x-client-ip';
}

interface Run {
  target: Target;
  results: ScenarioResult[];
  /** Shares of one core over the measured seconds: the stack process (null when it is this one), this process, the machine. */
  stackCpu: number | null;
  benchCpu: number;
  machineCpu: number | null;
  /** The backing services' process trees, by SERVICES name (null when none was found). */
  servicesCpu: (number | null)[];
}

/** Backing services by process name (/proc/<pid>/comm), for the CPU table. */
const SERVICES = [
  { name: 'PostgreSQL', comm: 'postgres' },
  { name: 'Redis', comm: 'redis-server' },
  { name: 'RabbitMQ', comm: 'beam.smp' },
] as const;

/** CPU seconds used so far by each backing service (every process tree of that name), null when none runs here. */
function servicesCpuSeconds(): (number | null)[] {
  return SERVICES.map(({ comm }) => {
    const roots = processRoots(comm);
    return roots.length ? roots.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0) : null;
  });
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** RFC 2544 benchmarking addresses, one per account. */
const clientAddress = (account: number) => `198.18.${Math.floor(account / 254)}.${(account % 254) + 1}`;

function graphqlRequest(
  url: URL,
  headers: Record<string, string>,
  query: string,
  variables?: Record<string, unknown>,
): HttpRequest {
  return {
    method: 'POST',
    path: url.pathname,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  };
}

function dataOf<T>(body: string): T | undefined {
  try {
    return (JSON.parse(body) as { data?: T }).data;
  } catch {
    return undefined;
  }
}

/** The four scenarios of one target, with `connections[i]` connections for `MIX[i]`. */
function scenariosFor(target: Target, connections: number[], catalogue: Catalogue, stack: RunningStack): Scenario[] {
  const accounts = stack.accounts;
  const visitor = (connection: Connection) =>
    `${stack.visitorPrefix}${connection.id < 0 ? 'check' : String(connection.id).padStart(4, '0')}`;
  const anonymous = (connection: Connection) => ({ 'x-visitor-id': visitor(connection) });
  const signedIn = (connection: Connection) => ({ ...anonymous(connection), authorization: `Bearer ${stack.token}` });
  const boxTitle = (connection: Connection) =>
    `Bench load ${connection.id < 0 ? 'check' : connection.id} ${randomBytes(4).toString('hex')}`;
  let signIns = 0;
  const { catalogue: catalogueUrl, edits: editsUrl, signIns: signInUrl } = target.graphql;

  const scenarios: Record<ScenarioKey, Omit<Scenario, 'connections' | 'name'>> = {
    catalogue: {
      origin: catalogueUrl.origin,
      graphql: true,
      steps: [
        { name: 'switches page', build: (c) => graphqlRequest(catalogueUrl, anonymous(c), SWITCHES_PAGE) },
        {
          name: 'boxes page',
          build: (c) =>
            graphqlRequest(catalogueUrl, anonymous(c), BOXES_PAGE, { boxTypeId: pick([null, ...catalogue.boxTypeIds]) }),
        },
        { name: 'keyboards page', build: (c) => graphqlRequest(catalogueUrl, anonymous(c), KEYBOARDS_PAGE) },
        {
          name: 'keyboard by id',
          build: (c) => graphqlRequest(catalogueUrl, anonymous(c), KEYBOARD, { id: pick(catalogue.keyboardIds) }),
        },
      ],
    },
    edits: {
      origin: editsUrl.origin,
      graphql: true,
      steps: [
        {
          name: 'createBox',
          build: (c) =>
            graphqlRequest(editsUrl, signedIn(c), CREATE_BOX, {
              input: { title: boxTitle(c), boxTypeId: pick(catalogue.boxTypeIds) },
            }),
          read: (c, body) => {
            const id = dataOf<{ createBox?: { box?: { id?: string } } }>(body)?.createBox?.box?.id;
            if (id) c.kept.box = id;
          },
        },
        {
          name: 'renameBox',
          build: (c) =>
            c.kept.box
              ? graphqlRequest(editsUrl, signedIn(c), RENAME_BOX, { input: { id: c.kept.box, title: boxTitle(c) } })
              : null,
        },
        {
          name: 'deleteBox',
          build: (c) => (c.kept.box ? graphqlRequest(editsUrl, signedIn(c), DELETE_BOX, { input: { id: c.kept.box } }) : null),
        },
      ],
    },
    downloads: {
      origin: target.files,
      graphql: false,
      steps: [
        {
          name: 'GET /files/… (model)',
          build: (c) => ({ method: 'GET', path: pick(catalogue.models).path, headers: anonymous(c) }),
        },
      ],
    },
    signIns: {
      origin: signInUrl.origin,
      graphql: true,
      steps: [
        {
          name: 'signIn',
          build: (c) => {
            const index = signIns++ % accounts.length;
            const account = accounts[index]!;
            return graphqlRequest(signInUrl, { ...anonymous(c), [target.clientAddressHeader]: clientAddress(index) }, SIGN_IN, {
              input: { email: account.email, password: account.password, deviceLabel: 'KeyLab load benchmark' },
            });
          },
        },
      ],
    },
  };
  return MIX.map((entry, i) => ({ name: entry.name, connections: connections[i]!, ...scenarios[entry.key] }));
}

/** The ids and model files the scenarios use, read through the gateway like any client. */
async function readCatalogue(gatewayUrl: string): Promise<Catalogue> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: CATALOGUE }),
  });
  const text = await response.text();
  type Item = { id: string; model: { url: string; byteSize: number } | null };
  type Answer = {
    boxTypes: { id: string }[];
    switches: { nodes: Item[] };
    boxes: { nodes: Item[] };
    keyboards: { nodes: Item[] };
  };
  let body: { data?: Answer; errors?: unknown[] } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  if (response.status !== 200 || !body || body.errors?.length || !body.data) {
    throw new Error(`reading the catalogue got HTTP ${response.status}: ${text.slice(0, 1000)}`);
  }
  const { boxTypes, switches, boxes, keyboards } = body.data;
  if (!boxTypes.length || !keyboards.nodes.length) {
    throw new Error('the test catalogue has no box types or no keyboards (run: tsx scripts/db.ts setup-test)');
  }
  // Model URLs name the configured public origin; the servers under test are on free ports.
  const models = [...switches.nodes, ...boxes.nodes, ...keyboards.nodes].flatMap((item) =>
    item.model ? [{ path: new URL(item.model.url).pathname, byteSize: item.model.byteSize }] : [],
  );
  if (!models.length) throw new Error('no item of the test catalogue has a model file (run: tsx scripts/db.ts setup-test)');
  return {
    boxTypeIds: boxTypes.map((type) => type.id),
    keyboardIds: keyboards.nodes.map((keyboard) => keyboard.id),
    counts: `${switches.nodes.length} switches, ${boxTypes.length} box types, ${boxes.nodes.length} boxes, ${keyboards.nodes.length} keyboards`,
    models,
  };
}

/**
 * Before any load, every step of a scenario once, in order, as one connection would: a GraphQL step must answer
 * 200 with data and no errors, a download 200 with the whole file. Throws with what came back otherwise.
 */
async function checkScenario(target: Target, scenario: Scenario, catalogue: Catalogue): Promise<void> {
  const connection: Connection = { id: -1, kept: {} };
  const fail = (step: string, message: string) => new Error(`${target.name}, ${scenario.name}, ${step}: ${message}`);
  for (const step of scenario.steps) {
    const request = step.build(connection);
    if (!request) throw fail(step.name, 'the request could not be made (an earlier step kept nothing)');
    const url = `${scenario.origin}${request.path}`;
    let response: Response;
    try {
      response = await fetch(url, { method: request.method, headers: request.headers, body: request.body });
    } catch (error) {
      throw fail(step.name, `${request.method} ${url} failed: ${(error as Error).message}`);
    }
    if (!scenario.graphql) {
      await response.arrayBuffer();
      if (response.status !== 200) throw fail(step.name, `GET ${url} got HTTP ${response.status}, expected 200`);
      continue;
    }
    const text = await response.text();
    let body: { data?: unknown; errors?: unknown[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // reported below
    }
    if (response.status !== 200 || !body || body.errors?.length || body.data == null) {
      throw fail(step.name, `HTTP ${response.status}, expected 200 with data and no errors:\n${text.slice(0, 1000)}`);
    }
    step.read?.(connection, text);
  }
  if (!scenario.graphql) {
    // Every model file the downloads pick from, whole.
    for (const model of catalogue.models) {
      const url = `${scenario.origin}${model.path}`;
      const response = await fetch(url);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200 || bytes.length !== model.byteSize) {
        throw fail(
          'GET /files/…',
          `GET ${url} got HTTP ${response.status} with ${bytes.length} bytes, expected 200 with ${model.byteSize}`,
        );
      }
    }
  }
}

/** Everything to stop on the way out, normal or not. */
const running: { stack?: RunningStack; mix?: RunningMix } = {};
let releasing: Promise<void> | undefined;
let interrupted = false;

function release(): Promise<void> {
  return (releasing ??= (async () => {
    running.mix?.stop();
    await running.stack?.close().catch((error: unknown) => console.error('closing the stack failed:', error));
  })());
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  // Once: a second Ctrl-C kills at once (the stack process then cleans up when it sees us gone).
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the load and the stack...`);
    void release().finally(() => process.exit(code));
  });
}

/** Share of one core the machine was busy over the next `seconds`, or null off Linux. */
async function machineBusyShare(seconds: number): Promise<number | null> {
  const before = machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = machineBusySeconds();
  return before !== null && after !== null ? (after - before) / seconds : null;
}

async function mix(scenarios: Scenario[], seconds: number): Promise<ScenarioResult[]> {
  running.mix = startMix(scenarios, seconds);
  const results = await running.mix.done;
  running.mix = undefined;
  // Stopped by a signal: go no further, the handler exits once everything is released.
  if (interrupted) await new Promise<never>(() => {});
  return results;
}

async function measure(target: Target, scenarios: Scenario[], seconds: number, stackPid: number | undefined): Promise<Run> {
  process.stdout.write(`  ${target.name}: warm-up ${WARM_UP_SECONDS} s, `);
  await mix(scenarios, WARM_UP_SECONDS);
  process.stdout.write(`measuring ${seconds} s... `);
  const stackBefore = stackPid ? cpuSeconds(stackPid) : null;
  const servicesBefore = servicesCpuSeconds();
  const machineBefore = machineBusySeconds();
  const benchBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const results = await mix(scenarios, seconds);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const bench = process.cpuUsage(benchBefore);
  const stackAfter = stackPid ? cpuSeconds(stackPid) : null;
  const servicesAfter = servicesCpuSeconds();
  const machineAfter = machineBusySeconds();
  const total = results.reduce((sum, result) => sum + result.latencies.length / result.duration, 0);
  process.stdout.write(`${total.toFixed(0)} req/s\n`);
  return {
    target,
    results,
    stackCpu: stackBefore !== null && stackAfter !== null ? (stackAfter - stackBefore) / elapsed : null,
    benchCpu: (bench.user + bench.system) / 1e6 / elapsed,
    machineCpu: machineBefore !== null && machineAfter !== null ? (machineAfter - machineBefore) / elapsed : null,
    servicesCpu: servicesAfter.map((after, i) => {
      const before = servicesBefore[i];
      return after !== null && before != null ? Math.max(0, after - before) / elapsed : null;
    }),
  };
}

const rate = (result: { latencies: Float64Array }, duration: number) => result.latencies.length / duration;
const errorsOf = (result: ScenarioResult) => result.socketErrors + result.non2xx + result.graphqlErrors;
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');

function print(gateway: Run, direct: Run): void {
  const quantiles = (latencies: Float64Array) => [50, 95, 99].map((p) => ms(percentile(latencies, p)));
  const allOf = (run: Run) => ({
    latencies: Float64Array.from(run.results.flatMap((result) => Array.from(result.latencies))).sort(),
    perSecond: run.results.reduce((sum, result) => sum + rate(result, result.duration), 0),
    errors: run.results.reduce((sum, result) => sum + errorsOf(result), 0),
  });

  const rows = gateway.results.map((viaGateway, i) => {
    const straight = direct.results[i]!;
    const [g, d] = [rate(viaGateway, viaGateway.duration), rate(straight, straight.duration)];
    return [
      viaGateway.scenario.name,
      String(viaGateway.scenario.connections),
      g.toFixed(1),
      ...quantiles(viaGateway.latencies),
      String(errorsOf(viaGateway)),
      d.toFixed(1),
      ...quantiles(straight.latencies),
      String(errorsOf(straight)),
      ratio(g, d),
    ];
  });
  const [gAll, dAll] = [allOf(gateway), allOf(direct)];
  rows.push([
    'all',
    String(gateway.results.reduce((sum, result) => sum + result.scenario.connections, 0)),
    gAll.perSecond.toFixed(1),
    ...quantiles(gAll.latencies),
    String(gAll.errors),
    dAll.perSecond.toFixed(1),
    ...quantiles(dAll.latencies),
    String(dAll.errors),
    ratio(gAll.perSecond, dAll.perSecond),
  ]);
  console.log('\nper scenario (gw = through the gateway, dir = straight to the subgraph; latencies in ms):\n');
  console.log(
    table(
      [
        'scenario',
        'conns',
        'gw req/s',
        'gw p50',
        'gw p95',
        'gw p99',
        'gw err',
        'dir req/s',
        'dir p50',
        'dir p95',
        'dir p99',
        'dir err',
        'gw/dir',
      ],
      rows,
    ),
  );

  const share = (run: Run) => {
    const total = run.results.reduce((sum, result) => sum + result.latencies.length, 0);
    return run.results
      .map((result) => `${result.scenario.name} ${((100 * result.latencies.length) / total).toFixed(1)}%`)
      .join(', ');
  };
  console.log(`\nrequest mix through the gateway: ${share(gateway)}`);
  console.log(`request mix straight:            ${share(direct)}`);

  const operations = gateway.results.flatMap((viaGateway, i) => {
    const straight = direct.results[i]!;
    return viaGateway.steps.map((step, j) => {
      const other = straight.steps[j]!;
      const [g, d] = [rate(step, viaGateway.duration), rate(other, straight.duration)];
      return [
        `${viaGateway.scenario.name}: ${step.name}`,
        g.toFixed(1),
        ms(percentile(step.latencies, 50)),
        ms(percentile(step.latencies, 99)),
        String(step.non2xx + step.graphqlErrors),
        d.toFixed(1),
        ms(percentile(other.latencies, 50)),
        ms(percentile(other.latencies, 99)),
        String(other.non2xx + other.graphqlErrors),
        ratio(g, d),
      ];
    });
  });
  console.log('\nper operation (errors here: non-2xx and GraphQL errors; socket errors are per scenario):\n');
  console.log(
    table(
      ['operation', 'gw req/s', 'gw p50', 'gw p99', 'gw err', 'dir req/s', 'dir p50', 'dir p99', 'dir err', 'gw/dir'],
      operations,
    ),
  );

  const failures = [gateway, direct].flatMap((run) =>
    run.results
      .filter((result) => errorsOf(result) > 0 || result.restarts > 0)
      .map((result) => {
        const lines = [
          `  ${run.target.name}, ${result.scenario.name}: socket errors ${result.socketErrors - result.timeouts}, timeouts ${result.timeouts}, ` +
            `non-2xx ${result.non2xx}, GraphQL errors ${result.graphqlErrors}, steps started over ${result.restarts}`,
        ];
        for (const step of result.steps) if (step.firstFailure) lines.push(`    first failed ${step.name}: ${step.firstFailure}`);
        return lines.join('\n');
      }),
  );
  console.log(
    failures.length ? `\nerrors:\n${failures.join('\n')}` : '\nerrors: none (no socket error, timeout, non-2xx or GraphQL error)',
  );

  const percent = (share: number | null) => (share === null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
  const cores = os.cpus().length;
  const other = (run: Run) =>
    run.machineCpu === null
      ? null
      : Math.max(
          0,
          run.machineCpu - (run.stackCpu ?? 0) - run.benchCpu - run.servicesCpu.reduce<number>((a, b) => a + (b ?? 0), 0),
        );
  console.log(`\nCPU over the measured seconds (100% = one core, ${cores * 100}% = the machine):\n`);
  console.log(
    table(
      ['', 'machine', 'stack', 'bench', ...SERVICES.map((service) => service.name), 'other'],
      [gateway, direct].map((run) => [
        run.target.name,
        percent(run.machineCpu),
        percent(run.stackCpu),
        percent(run.benchCpu),
        ...run.servicesCpu.map(percent),
        percent(other(run)),
      ]),
    ),
  );
  console.log(
    'stack: the stack process, the gateway and every subgraph (one event loop, plus its thread pool: Argon2id, file\n' +
      'reads); bench: this process, autocannon' +
      (gateway.stackCpu === null ? ' and the whole stack' : '') +
      '; PostgreSQL, Redis, RabbitMQ: their process trees (a process\nthat ended during the run is missed); ' +
      'other: the rest of the machine (other programs, the kernel).',
  );
  if (bodiesKept) console.log('\nWARNING: this autocannon keeps response bodies (no pipelinedRequests.addBody to replace).');
}

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 20);
  const connections = positiveInt('BENCH_CONNECTIONS', 20);
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  let split: number[];
  try {
    split = splitConnections(
      connections,
      MIX.map((entry) => entry.weight),
    );
  } catch (error) {
    console.error(`BENCH_CONNECTIONS=${connections}: ${(error as Error).message}`);
    process.exit(1);
  }

  console.log('KeyLab mixed load benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: ${seconds} s per run after a ${WARM_UP_SECONDS} s warm-up, ${connections} connections ` +
      `(${MIX.map((entry, i) => `${entry.name} ${split[i]}`).join(', ')}), no pipelining; ` +
      `stack ${inProcess ? 'in the benchmark process' : 'in a child process'}`,
  );

  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const stackStarting = startBenchStack(inProcess, { signInAccounts: SIGN_IN_ACCOUNTS }).then((stack) => (running.stack = stack));
  let exitCode = 0;
  try {
    const stack = await stackStarting;
    console.log(`stack up after ${elapsed()}`);
    const catalogue = await readCatalogue(stack.gatewayUrl);
    const sizes = catalogue.models.map((model) => model.byteSize / 1000);
    console.log(
      `catalogue: ${catalogue.counts}; downloads pick one of their ${catalogue.models.length} model files ` +
        `(${Math.min(...sizes).toFixed(1)} to ${Math.max(...sizes).toFixed(1)} kB) at random`,
    );
    console.log(
      `sign-ins: ${stack.accounts.length} accounts made for this run (Argon2id, as sign-up hashes), taken in turn, each from ` +
        `its own client address (198.18.0.x): X-Forwarded-For to the gateway (which trusts its loopback peer), ` +
        `X-Client-IP straight to the users subgraph (as the gateway sends it). Rate limits are the defaults: they ` +
        `count failed sign-ins only (30 per address in 5 min, 10 per account in 15 min), and every sign-in here succeeds.`,
    );

    const gatewayUrl = new URL(stack.gatewayUrl);
    const targets: Target[] = [
      {
        name: 'through the gateway',
        graphql: { catalogue: gatewayUrl, edits: gatewayUrl, signIns: gatewayUrl },
        files: gatewayUrl.origin,
        clientAddressHeader: 'x-forwarded-for',
      },
      {
        name: 'straight to the subgraphs',
        graphql: {
          catalogue: new URL(stack.subgraphUrls.keyboards),
          edits: new URL(stack.subgraphUrls.keyboards),
          signIns: new URL(stack.subgraphUrls.users),
        },
        files: new URL(stack.subgraphUrls.keyboards).origin,
        clientAddressHeader: 'x-client-ip',
      },
    ];
    const plans = targets.map((target) => ({ target, scenarios: scenariosFor(target, split, catalogue, stack) }));
    for (const { target, scenarios } of plans) {
      for (const scenario of scenarios) await checkScenario(target, scenario, catalogue);
    }
    console.log(
      'checks: every step of every scenario answered 200 with data and no errors (downloads: every model file whole), both ways',
    );

    const idleBefore = await machineBusyShare(2);
    if (idleBefore !== null) {
      console.log(
        `machine before the load: ${(idleBefore * 100).toFixed(0)}% busy over 2 s (100% = one core)` +
          (idleBefore > 0.25 ? ' WARNING: something else is running; the numbers will show it' : ''),
      );
    }

    console.log('\nload:');
    const stackPid = inProcess ? undefined : stack.pid;
    const [gateway, direct] = [
      await measure(plans[0]!.target, plans[0]!.scenarios, seconds, stackPid),
      await measure(plans[1]!.target, plans[1]!.scenarios, seconds, stackPid),
    ];
    print(gateway, direct);
  } catch (error) {
    console.error(`\nbenchmark aborted: ${(error as Error).message}`);
    exitCode = 1;
    // A stack still starting is closed as soon as it is up.
    await stackStarting.catch(() => undefined);
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
