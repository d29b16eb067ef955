/**
 * Sign-in under load: a cheap catalogue query through the gateway at a fixed concurrency, with and without clients
 * signing in continuously through the gateway (each sign-in one Argon2id verification in the users process), in
 * alternating slices of one run. Prints both p99s and their ratio, the sign-ins (successes and refusals, rate,
 * latency), the CPU of each process and of the threads of the gateway, users and keyboards processes (the event loop
 * apart from the thread pool, where Argon2id runs), and a `summary:` block.
 *
 *   npm run bench:sign-in                                   (from the repository root)
 *   BENCH_SECONDS=40 BENCH_SIGN_IN_CLIENTS=20 npm run bench:sign-in
 *   BENCH_PROFILE=1 npm run bench:sign-in                   (and CPU profiles of the gateway, users and keyboards)
 *
 * Every process of the system on its own, as `npm start` runs them (src/deployed-stack.ts); the load generator here.
 * A benchmark, not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Request } from 'autocannon';
import { machine, positiveInt, table } from './src/common';
import { cpuShares, machineBusyShare, readCpu, type CpuReadings } from './src/cpu';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './src/cpu-profile';
import { SERVICES, startDeployedStack, type DeployedStack, type ServiceName } from './src/deployed-stack';
import { queryData } from './src/graphql';
import { figures, nowUs, runLoad, type Answer, type Figures, type LoadResult } from './src/http-load';
import { closeAtEnd, elapsed, runBenchmark } from './src/run';

/** Query A of `npm run bench` (gateway-overhead.ts): one keyboards fetch of cached lists. */
const CATALOGUE = '{ switches(first: 4) { totalCount nodes { id title } } boxTypes { id title keyCount } }';
const SIGN_IN = `mutation SignIn($input: SignInInput!) {
  signIn(input: $input) { accessToken session { id } user { id } }
}`;
/** Before each measured slice, not counted: the sign-ins reach their pace, or the last ones drain. */
const SETTLE_SECONDS = 2;
const BACKING_SERVICES = { PostgreSQL: 'postgres', Redis: 'redis-server', RabbitMQ: 'beam.smp' };
/** The processes whose threads are shown (the ones a catalogue request or a sign-in passes through). */
const THREADED: ServiceName[] = ['gateway', 'users', 'keyboards'];
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** RFC 2544 benchmarking addresses, one per account (as bench:load gives them). */
const clientAddress = (account: number) => `198.18.${Math.floor(account / 254)}.${(account % 254) + 1}`;
/**
 * CPU seconds the hypervisor gave other machines while this one wanted them (Linux /proc/stat), which `machine` does
 * not count: a host busy elsewhere makes every process slower.
 */
function stealSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    return Number(fields[8]) / ticksPerSecond;
  } catch {
    return null;
  }
}
const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** `priority`: `idle` for SCHED_IDLE, else the nice value. */
type Threads = Map<number, { name: string; seconds: number; priority: string }>;
/** By thread name: CPU seconds, how many threads, their priorities. */
type ThreadUse = Map<string, { seconds: number; count: number; priorities: Set<string> }>;

/** CPU seconds so far of each thread of `pid`; the main thread is `event loop` (Linux /proc; empty elsewhere). */
function readThreads(pid: number): Threads {
  const threads: Threads = new Map();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = Number(tid) === pid ? 'event loop' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      const priority = fields[38] === '5' ? 'idle' : `nice ${fields[16]}`;
      threads.set(Number(tid), { name, seconds, priority });
    } catch {
      // ended meanwhile
    }
  }
  return threads;
}

/** Adds what each thread used between two readings to `use` (a thread that ended meanwhile is missed). */
function addThreadUse(use: ThreadUse, before: Threads, after: Threads): void {
  const counts = new Map<string, number>();
  for (const { name } of after.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [tid, thread] of after) {
    const entry = use.get(thread.name) ?? { seconds: 0, count: 0, priorities: new Set<string>() };
    entry.seconds += Math.max(0, thread.seconds - (before.get(tid)?.seconds ?? 0));
    entry.count = Math.max(entry.count, counts.get(thread.name)!);
    entry.priorities.add(thread.priority);
    use.set(thread.name, entry);
  }
}

interface SignInRun {
  load: LoadResult;
  /** Every answer by kind: signed in, RATE_LIMITED, or anything else. */
  kinds: Record<string, number>;
  firstFailure?: string;
}

/** One phase's measured windows, added up. */
interface Phase {
  name: string;
  windows: [number, number][];
  seconds: number;
  /** CPU seconds used within the windows: each process, `bench`, `machine`. */
  cpuSeconds: Record<string, number | null>;
  threads: Record<string, ThreadUse>;
  signIns: SignInRun[];
}

const newPhase = (name: string): Phase => ({
  name,
  windows: [],
  seconds: 0,
  cpuSeconds: {},
  threads: Object.fromEntries(THREADED.map((service) => [service, new Map()])),
  signIns: [],
});

function catalogueLoad(stack: DeployedStack, connections: number, seconds: number) {
  return runLoad({
    url: stack.gatewayUrl,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-visitor-id': `${stack.visitorPrefix}catalogue` },
    body: JSON.stringify({ query: CATALOGUE }),
    connections,
    seconds,
    graphql: true,
    timeoutSeconds: 30,
  });
}

/**
 * `clients` connections signing in through the gateway over and over, each with accounts of its own (account i
 * belongs to connection i % clients) and each account from its own client address, so that no account or address
 * has two sign-ins in flight and the limits, which a success gives its try back to, never refuse one.
 */
async function signInLoad(stack: DeployedStack, clients: number, seconds: number): Promise<SignInRun> {
  const path = new URL(stack.gatewayUrl).pathname;
  const run: Omit<SignInRun, 'load'> = { kinds: {} };
  let nextClient = 0;
  const requestsOf = (client: number): Request[] =>
    stack.accounts.flatMap(({ email, password }, i) =>
      i % clients === client
        ? [
            {
              method: 'POST',
              path,
              headers: {
                'content-type': 'application/json',
                'x-forwarded-for': clientAddress(i),
                'x-visitor-id': `${stack.visitorPrefix}sign-in-${i}`,
              },
              body: JSON.stringify({
                query: SIGN_IN,
                variables: { input: { email, password, deviceLabel: 'KeyLab sign-in bench' } },
              }),
              onResponse: (status: number, body: string) => {
                const ok = status === 200 && body.includes('"accessToken":"') && !body.includes('"errors":');
                const kind = ok ? 'signed in' : body.includes('"RATE_LIMITED"') ? 'RATE_LIMITED' : 'other';
                run.kinds[kind] = (run.kinds[kind] ?? 0) + 1;
                if (!ok) run.firstFailure ??= `HTTP ${status} ${body.slice(0, 300)}`;
              },
            },
          ]
        : [],
    );
  const load = await runLoad({
    url: new URL(stack.gatewayUrl).origin,
    connections: clients,
    seconds,
    graphql: true,
    timeoutSeconds: 30,
    requests: () => requestsOf(nextClient++ % clients),
  });
  return { ...run, load };
}

/** Measures `seconds` from now into `phase`: the CPU of every process and thread over the window. */
async function measureWindow(phase: Phase, pids: Record<ServiceName, number>, seconds: number): Promise<void> {
  const read = () => ({
    cpu: { ...readCpu({ ...pids, ...BACKING_SERVICES }), steal: stealSeconds() },
    threads: THREADED.map((service) => readThreads(pids[service])),
    at: nowUs(),
  });
  const before = read();
  await sleep(seconds);
  const after = read();
  const used: CpuReadings = cpuShares(before.cpu, after.cpu, 1);
  for (const [name, value] of Object.entries(used)) {
    const sum = phase.cpuSeconds[name];
    phase.cpuSeconds[name] = value === null || sum === null ? null : (sum ?? 0) + value;
  }
  THREADED.forEach((service, i) => addThreadUse(phase.threads[service]!, before.threads[i]!, after.threads[i]!));
  phase.windows.push([before.at, after.at]);
  phase.seconds += (after.at - before.at) / 1e6;
}

const inWindows = (answers: Answer[], windows: [number, number][]) =>
  answers.filter((answer) => windows.some(([start, end]) => answer.atUs >= start && answer.atUs < end));

/**
 * One catalogue load the whole time; sign-ins in every other slice. Each slice settles first (the sign-ins start,
 * or the last ones drain) and is then measured: the catalogue answers that arrive in its window count for its phase.
 */
async function alternate(stack: DeployedStack, connections: number, clients: number, seconds: number, slices: number) {
  const [idle, busy] = [newPhase('A, idle'), newPhase('B, during sign-ins')];
  const slice = seconds / slices;
  const total = SETTLE_SECONDS + slices * 2 * (SETTLE_SECONDS + slice) + 2;
  const catalogue = catalogueLoad(stack, connections, Math.ceil(total));
  await sleep(SETTLE_SECONDS);
  for (let n = 0; n < slices; n += 1) {
    process.stdout.write(` A`);
    await sleep(SETTLE_SECONDS);
    await measureWindow(idle, stack.pids, slice);
    process.stdout.write(` B`);
    const signIns = signInLoad(stack, clients, Math.ceil(SETTLE_SECONDS + slice));
    await sleep(SETTLE_SECONDS);
    await measureWindow(busy, stack.pids, slice);
    busy.signIns.push(await signIns);
  }
  return { idle, busy, catalogue: await catalogue };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const percent = (share: number | null | undefined) => (share == null ? 'n/a' : `${(share * 100).toFixed(0)}%`);
const cpuOf = (phase: Phase, name: string) => phase.cpuSeconds[name] ?? null;

interface Result {
  phase: Phase;
  catalogue: Figures & { max: number };
}

function resultOf(phase: Phase, catalogue: LoadResult): Result {
  const answers = inWindows(catalogue.answers, phase.windows);
  return {
    phase,
    catalogue: { ...figures(answers, phase.seconds), max: answers.reduce((max, answer) => Math.max(max, answer.ms), 0) },
  };
}

function printLatencies(idle: Result, busy: Result, load: LoadResult): void {
  console.log('\ncatalogue query through the gateway, answers that arrived in each phase (latencies in ms):\n');
  console.log(
    table(
      ['phase', 'seconds', 'req/s', 'p50', 'p95', 'p99', 'max', 'non-2xx', 'gql errors'],
      [idle, busy].map(({ phase, catalogue: c }) => [
        phase.name,
        phase.seconds.toFixed(1),
        c.perSecond.toFixed(0),
        ms(c.p50),
        ms(c.p95),
        ms(c.p99),
        ms(c.max),
        String(c.non2xx),
        String(c.graphqlErrors),
      ]),
    ),
  );
  console.log(`socket errors over the whole catalogue load: ${load.errors - load.timeouts}, timeouts ${load.timeouts}`);
  const ratio = (key: 'p50' | 'p95' | 'p99') => `${(busy.catalogue[key] / idle.catalogue[key]).toFixed(2)}x`;
  console.log(`during sign-ins / idle: p50 ${ratio('p50')}, p95 ${ratio('p95')}, p99 ${ratio('p99')}`);
}

/** The successful sign-ins that arrived in the measured windows. */
function signInFigures(phase: Phase): Figures {
  const answers = phase.signIns.flatMap((run) => run.load.answers);
  const ok = inWindows(answers, phase.windows).filter((answer) => answer.status === 200 && !answer.graphqlError);
  return figures(ok, phase.seconds);
}

function printSignIns(phase: Phase): void {
  const count = (kind: string) => phase.signIns.reduce((sum, run) => sum + (run.kinds[kind] ?? 0), 0);
  const sum = (of: (load: LoadResult) => number) => phase.signIns.reduce((total, run) => total + of(run.load), 0);
  const answers = sum((load) => load.answers.length);
  const measured = signInFigures(phase);
  console.log(
    `\nsign-ins, every answer (${answers}, ${phase.signIns.length} runs of ${phase.signIns[0]?.load.seconds ?? 0} s): ` +
      `${count('signed in')} signed in, ${count('RATE_LIMITED')} RATE_LIMITED, ${count('other')} other failures; ` +
      `socket errors ${sum((load) => load.errors - load.timeouts)}, timeouts ${sum((load) => load.timeouts)}`,
  );
  const firstFailure = phase.signIns.find((run) => run.firstFailure)?.firstFailure;
  if (firstFailure) console.log(`  first failure: ${firstFailure}`);
  console.log(
    `  signed in within the measured windows: ${measured.perSecond.toFixed(1)} per second, ` +
      `p50 ${ms(measured.p50)} ms, p95 ${ms(measured.p95)} ms, p99 ${ms(measured.p99)} ms`,
  );
}

function printCpu(idle: Result, busy: Result): void {
  const names = ['machine', 'bench', ...SERVICES, ...Object.keys(BACKING_SERVICES)];
  const otherOf = (phase: Phase) =>
    Math.max(0, cpuOf(phase, 'machine')! - names.slice(1).reduce((sum, name) => sum + (cpuOf(phase, name) ?? 0), 0));
  const cells = ({ phase, catalogue }: Result, seconds: number | null) =>
    seconds === null
      ? ['n/a', 'n/a', 'n/a']
      : [
          percent(seconds / phase.seconds),
          (seconds * 1000).toFixed(0),
          ((seconds * 1000) / Math.max(1, catalogue.requests)).toFixed(2),
        ];
  const rows = [
    ...names.map((name) => [name, ...cells(idle, cpuOf(idle.phase, name)), ...cells(busy, cpuOf(busy.phase, name))]),
    ['other', ...cells(idle, otherOf(idle.phase)), ...cells(busy, otherOf(busy.phase))],
    ['steal', ...cells(idle, cpuOf(idle.phase, 'steal')), ...cells(busy, cpuOf(busy.phase, 'steal'))],
  ];
  console.log(
    `\nCPU within the measured windows (share of one core, ${os.cpus().length * 100}% = the machine; ms = CPU ms in the windows;\n` +
      'ms/query: CPU ms per catalogue query answered, during sign-ins including what the sign-ins cost):\n',
  );
  console.log(table(['process', 'idle', 'idle ms', 'ms/query', 'sign-ins', 'sign-ins ms', 'ms/query'], rows));
  console.log(
    'bench: this process (autocannon); gateway, users, keyboards, stats: each its own process, all its threads;\n' +
      'PostgreSQL, Redis, RabbitMQ: their process trees; other: the rest of the machine (other programs, the kernel);\n' +
      'steal: time the hypervisor gave to other guests (not in machine; when it is high, every figure is slower).',
  );
  for (const { phase } of [idle, busy]) {
    const other = otherOf(phase) / phase.seconds;
    if (other > 0.25) {
      console.log(
        `WARNING: other used ${percent(other)} of a core during ${phase.name}: something else ran; the figures show it`,
      );
    }
  }

  const signIns = signInFigures(busy.phase).requests;
  const perSignIn = (seconds: number | null | undefined) =>
    seconds == null || signIns === 0 ? '-' : ((seconds * 1000) / signIns).toFixed(1);
  const users = [...busy.phase.threads.users!]
    .filter(([, use]) => signIns > 0 && (use.seconds * 1000) / signIns >= 0.05)
    .sort(([, a], [, b]) => b.seconds - a.seconds);
  console.log(
    `\nusers process during sign-ins: ${perSignIn(cpuOf(busy.phase, 'users'))} CPU ms per sign-in; by thread: ` +
      users.map(([name, use]) => `${name} ${perSignIn(use.seconds)} ms`).join(', '),
  );

  console.log(
    '\nthreads that used CPU (share of one core; "event loop" is the main thread, libuv-worker the thread pool,\n' +
      "V8Worker V8's GC and compiler threads, argon2id the users service's hashing threads; how many, and their\n" +
      'priority: nice value, or idle for SCHED_IDLE):\n',
  );
  const threadRows = THREADED.flatMap((service) => {
    const share = (phase: Phase, thread: string) => (phase.threads[service]!.get(thread)?.seconds ?? 0) / phase.seconds;
    const names = [...new Set([...idle.phase.threads[service]!.keys(), ...busy.phase.threads[service]!.keys()])];
    return names
      .filter((thread) => Math.max(share(idle.phase, thread), share(busy.phase, thread)) >= 0.005)
      .sort((a, b) => (a === 'event loop' ? -1 : b === 'event loop' ? 1 : a.localeCompare(b)))
      .map((thread) => {
        const entry = (busy.phase.threads[service]!.get(thread) ?? idle.phase.threads[service]!.get(thread))!;
        return [
          `${service}: ${thread} x${entry.count} (${[...entry.priorities].join(', ')})`,
          percent(share(idle.phase, thread)),
          percent(share(busy.phase, thread)),
        ];
      });
  });
  console.log(table(['thread', 'idle', 'sign-ins'], threadRows));
}

/** With BENCH_PROFILE=1: every process of the stack writes a V8 profile of its main thread when it exits. */
function profileDirectory(): string | undefined {
  if (process.env.BENCH_PROFILE !== '1') return undefined;
  const directory = process.env.BENCH_PROFILE_DIR || `${ROOT}.data/bench/sign-in-profiles`;
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const interval = positiveInt('BENCH_PROFILE_INTERVAL_US', 1000);
  process.env.NODE_OPTIONS = [
    process.env.NODE_OPTIONS ?? '',
    `--cpu-prof --cpu-prof-dir=${directory} --cpu-prof-interval=${interval}`,
  ].join(' ');
  return directory;
}

function printProfiles(directory: string, stack: DeployedStack, idle: Result, busy: Result): void {
  const top = positiveInt('BENCH_PROFILE_TOP', 12);
  const files = readdirSync(directory);
  for (const service of THREADED) {
    const file = files.find((name) => name.includes(`.${stack.pids[service]}.0.`));
    if (!file) {
      console.log(`\nprofile of ${service}: none written (${directory})`);
      continue;
    }
    const profile = JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as CpuProfile;
    const [a, b] = [idle, busy].map(({ phase }) => summarizeProfile(profile, phase.windows)) as [ProfileSummary, ProfileSummary];
    const busyShare = (summary: ProfileSummary, { phase }: Result) => percent(summary.busyMs / (phase.seconds * 1000));
    console.log(
      `\nprofile of the ${service} process's main thread (${directory}/${file}): busy ${busyShare(a, idle)} of the ` +
        `idle windows, ${busyShare(b, busy)} of those during sign-ins. Self ms per catalogue query, by package:\n`,
    );
    const perQuery = (valueMs: number | undefined, { catalogue }: Result) =>
      valueMs === undefined ? '-' : (valueMs / Math.max(1, catalogue.requests)).toFixed(3);
    const selfOf = (summary: ProfileSummary, category: string) => summary.categories.find((c) => c.category === category)?.selfMs;
    const categories = [...new Set([...b.categories, ...a.categories].map((entry) => entry.category))].slice(0, top);
    console.log(
      table(
        ['package', 'idle', 'sign-ins'],
        categories.map((category) => [category, perQuery(selfOf(a, category), idle), perQuery(selfOf(b, category), busy)]),
      ),
    );
    console.log(`\n  top functions by self time during sign-ins (ms in the windows):`);
    console.log(
      table(
        ['function', 'where', 'self ms', 'total ms'],
        b.functions
          .slice(0, top)
          .map((f) => [f.name.slice(0, 40), f.location.slice(-60), f.selfMs.toFixed(0), f.totalMs.toFixed(0)]),
      ),
    );
  }
}

runBenchmark(async () => {
  const seconds = positiveInt('BENCH_SECONDS', 20);
  const slices = positiveInt('BENCH_SLICES', 4);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const clients = positiveInt('BENCH_SIGN_IN_CLIENTS', 20);
  const accounts = positiveInt('BENCH_SIGN_IN_ACCOUNTS', 2 * clients);
  if (accounts < clients)
    throw new Error(`BENCH_SIGN_IN_ACCOUNTS (${accounts}) must be at least BENCH_SIGN_IN_CLIENTS (${clients})`);
  console.log('KeyLab sign-in under load benchmark');
  console.log(`machine:  ${machine()}`);
  console.log(
    `settings: the catalogue query through the gateway at ${connections} connections the whole run; ${seconds} s measured ` +
      `without sign-ins (A) and ${seconds} s while ${clients} clients sign in continuously through the gateway (B), in ` +
      `${slices} alternating slices each, every slice after ${SETTLE_SECONDS} s not counted; ${accounts} accounts; ` +
      'no pipelining; gateway, users, keyboards and stats each in its own process',
  );
  const profiles = profileDirectory();
  const stack = await closeAtEnd('the stack', startDeployedStack({ signInAccounts: accounts }));
  console.log(`stack up after ${elapsed()} (NODE_ENV=${stack.nodeEnv})${profiles ? `, profiling into ${profiles}` : ''}`);
  console.log(
    `sign-ins: ${stack.accounts.length} accounts made for this run (each its own Argon2id hash, as sign-up makes), ` +
      `account i signed in by client i % ${clients} only and always from its own address (X-Forwarded-For 198.18.x.y). ` +
      'The limits (30 tries per address in 5 min, 10 per account in 15 min; a success gives its try back) stay at ' +
      'their defaults and refuse none of them; every answer is counted below.',
  );

  await queryData('the catalogue query', stack.gatewayUrl, {}, CATALOGUE);
  const first = stack.accounts[0]!;
  await queryData('a sign-in', stack.gatewayUrl, { 'x-forwarded-for': clientAddress(0) }, SIGN_IN, {
    input: { email: first.email, password: first.password },
  });
  console.log('checks: the catalogue query and a sign-in answered 200 with data and no errors');
  const busyBefore = await machineBusyShare(2);
  console.log(
    `machine before the load: ${(busyBefore * 100).toFixed(0)}% busy over 2 s (100% = one core)` +
      (busyBefore > 0.25 ? ' WARNING: something else is running; the numbers will show it' : ''),
  );

  process.stdout.write(`\nload (${SETTLE_SECONDS} s warm-up, then slices):`);
  const measured = await alternate(stack, connections, clients, seconds, slices);
  process.stdout.write(' done\n');
  if (profiles) await stack.close();
  const [idle, busy] = [resultOf(measured.idle, measured.catalogue), resultOf(measured.busy, measured.catalogue)];

  printLatencies(idle, busy, measured.catalogue);
  printSignIns(busy.phase);
  printCpu(idle, busy);
  if (profiles) printProfiles(profiles, stack, idle, busy);

  const signIns = signInFigures(busy.phase);
  const refused = busy.phase.signIns.reduce((sum, run) => sum + run.load.answers.length - (run.kinds['signed in'] ?? 0), 0);
  console.log('\nsummary:');
  console.log(`p99 during sign-ins vs idle: ${(busy.catalogue.p99 / idle.catalogue.p99).toFixed(2)}x`);
  console.log(`catalogue p99 idle ms: ${ms(idle.catalogue.p99)}`);
  console.log(`catalogue p99 during sign-ins ms: ${ms(busy.catalogue.p99)}`);
  console.log(`catalogue p50 during sign-ins vs idle: ${(busy.catalogue.p50 / idle.catalogue.p50).toFixed(2)}x`);
  console.log(
    `catalogue throughput during sign-ins vs idle: ${(busy.catalogue.perSecond / idle.catalogue.perSecond).toFixed(2)}x`,
  );
  console.log(`sign-ins per second: ${signIns.perSecond.toFixed(1)}`);
  console.log(`sign-in p50 ms: ${ms(signIns.p50)}`);
  console.log(`sign-in p99 ms: ${ms(signIns.p99)}`);
  console.log(`sign-ins refused: ${refused}`);
});
