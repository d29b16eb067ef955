/**
 * The system laid out as `npm start` runs it: the users, keyboards and stats subgraphs and the gateway, each
 * `node --import tsx src/main.ts` in its own OS process, on free ports, over the test databases, with exchanges,
 * queues and cache prefixes of this run only. A supervisor (a child process of the benchmark, idle while it loads)
 * launches them, makes the benchmark's data (`bench-data.ts`) and, when closed or when the benchmark is gone, stops
 * them (gateway first, publishers before the statistics consumer) and removes what the run left.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchData, BenchDataOptions, OwnedItemIds } from './bench-data';
import { killOnExit, serveAsChild, startChild, stopProcess } from './child-process';

export const SERVICES = ['gateway', 'users', 'keyboards', 'stats'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface Endpoints {
  gatewayUrl: string;
  /** By their names in the supergraph (`join__graph`). */
  subgraphUrls: { users: string; keyboards: string; stats: string };
  jwksUrl: string;
  statsExchange: string;
  /** What the gateway signs with: a request straight to a subgraph needs its proof (`src/gateway-proof.ts`). */
  gatewaySecret: string;
  /** The origin the keyboards subgraph writes into file URLs. */
  filesPublicUrl: string;
  databaseUrls: { users: string; keyboards: string };
  nodeEnv: string;
  /** Each process of the system, for its CPU. */
  pids: Record<ServiceName, number>;
  token: string;
  /** The ids of the user's own items, newest first. */
  owned: OwnedItemIds;
  accounts: { email: string; password: string }[];
  visitorPrefix: string;
}

export interface DeployedStackOptions extends BenchDataOptions {
  /** NODE_ENV of every process (default: BENCH_NODE_ENV, else production). */
  nodeEnv?: string;
}

export interface DeployedStack extends Endpoints {
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOG_DIR = `${ROOT}.data/bench/logs`;
const SERVICE_DIRS: Record<ServiceName, string> = {
  users: `${ROOT}subgraphs/users`,
  keyboards: `${ROOT}subgraphs/keyboards`,
  stats: `${ROOT}subgraphs/stats`,
  gateway: `${ROOT}gateway`,
};
/** As in a deployment: file URLs name the public origin, not the free port the benchmark's gateway is on. */
const FILES_PUBLIC_URL = 'http://localhost:4000';
/** All of them up within this, inside the 120 s the benchmark waits for the supervisor. */
const START_TIMEOUT_MS = 100_000;
/** Four processes to stop (each SIGKILLed after 15 s), then the cleanup. */
const CLOSE_TIMEOUT_MS = 90_000;

export async function startDeployedStack(options: DeployedStackOptions = {}): Promise<DeployedStack> {
  const nodeEnv = options.nodeEnv ?? (process.env.BENCH_NODE_ENV || 'production');
  const child = await startChild<Endpoints>(
    'the stack supervisor',
    import.meta.url,
    { ...options, nodeEnv },
    process.env,
    CLOSE_TIMEOUT_MS,
  );
  return { ...child.ready, close: child.close };
}

/** What one run's processes share: ports, secrets, and names no other run or `npm start` uses. */
interface Plan {
  nodeEnv: string;
  jwksUrl: string;
  ports: Record<ServiceName, number>;
  databases: Record<'users' | 'keyboards' | 'stats', string>;
  filesDir: string;
  gatewaySecret: string;
  /** Exchanges and queues, deleted at the end. */
  names: Record<'email' | 'emailQueue' | 'userEvents' | 'signUps' | 'statsEvents' | 'statsQueue', string>;
}

const secret = () => randomBytes(32).toString('base64url');

/** One free port per service, all different. */
async function freePorts(): Promise<Plan['ports']> {
  const { freePort } = await import('@keylab/testing');
  const ports = new Set<number>();
  while (ports.size < SERVICES.length) ports.add(await freePort());
  const [gateway, users, keyboards, stats] = [...ports] as [number, number, number, number];
  return { gateway, users, keyboards, stats };
}

async function plan(nodeEnv: string): Promise<Plan> {
  const { TEST_DATABASES, TEST_FILES_DIR } = await import('@keylab/test-support');
  const { JWKS_PATH } = await import('@keylab/users-subgraph');
  const id = randomUUID;
  const ports = await freePorts();
  return {
    nodeEnv,
    jwksUrl: `http://127.0.0.1:${ports.users}${JWKS_PATH}`,
    ports,
    databases: TEST_DATABASES,
    filesDir: TEST_FILES_DIR,
    gatewaySecret: secret(),
    names: {
      email: `bench.email.${id()}`,
      emailQueue: `bench.email.${id()}.send`,
      userEvents: `bench.users.${id()}`,
      signUps: `bench.stats.${id()}.sign-ups`,
      statsEvents: `bench.stats.${id()}`,
      statsQueue: `bench.stats.${id()}.ingest`,
    },
  };
}

const origin = (plan: Plan, name: ServiceName) => `http://127.0.0.1:${plan.ports[name]}`;

/** Each process's settings over the environment; every secret production requires is given, so none is written to disk. */
async function environments(plan: Plan): Promise<Record<ServiceName, Record<string, string>>> {
  const { gatewaySettings } = await import('@keylab/gateway');
  const { parseConfig } = await import('@keylab/config');
  const { names, jwksUrl: jwks } = plan;
  const common = (name: ServiceName) => ({
    NODE_ENV: plan.nodeEnv,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(plan.ports[name]),
    GATEWAY_SECRET: plan.gatewaySecret,
    APOLLO_TELEMETRY_DISABLED: '1',
  });
  const cachePrefix = `bench-${randomUUID()}`;
  return {
    users: {
      ...common('users'),
      DATABASE_URL: plan.databases.users,
      JWT_SIGNING_KEY: JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })),
      CODE_SECRET: secret(),
      KEYLAB_DATA_DIR: '',
      // The longest allowed: the benchmark user's token must outlast a long run.
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      RATE_LIMIT_PREFIX: cachePrefix,
      EMAIL_EXCHANGE: names.email,
      EMAIL_QUEUE: names.emailQueue,
      USER_EVENTS_EXCHANGE: names.userEvents,
    },
    keyboards: {
      ...common('keyboards'),
      DATABASE_URL: plan.databases.keyboards,
      JWKS_URL: jwks,
      FILES_DIR: plan.filesDir,
      FILES_PUBLIC_URL,
      FILE_URL_SECRET: secret(),
      CACHE_PREFIX: cachePrefix,
      STATS_EXCHANGE: names.statsEvents,
    },
    stats: {
      ...common('stats'),
      DATABASE_URL: plan.databases.stats,
      JWKS_URL: jwks,
      EXPORT_URL_SECRET: secret(),
      CACHE_PREFIX: cachePrefix,
      STATS_EXCHANGE: names.statsEvents,
      STATS_QUEUE: names.statsQueue,
      USER_EVENTS_EXCHANGE: names.userEvents,
      SIGN_UPS_QUEUE: names.signUps,
    },
    gateway: {
      ...common('gateway'),
      USERS_URL: `${origin(plan, 'users')}/graphql`,
      KEYBOARDS_URL: `${origin(plan, 'keyboards')}/graphql`,
      STATS_URL: `${origin(plan, 'stats')}/graphql`,
      JWKS_URL: jwks,
      STATS_EXCHANGE: names.statsEvents,
      // Required in production, where it has no default: the list a development gateway has.
      CORS_ORIGINS: parseConfig(gatewaySettings, { NODE_ENV: 'development' }).CORS_ORIGINS.join(','),
    },
  };
}

interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
}

const logOf = (name: ServiceName) => `${LOG_DIR}/${name}.log`;

/** Where `BENCH_CPU_PROF=keyboards,users` has those processes write a V8 CPU profile of their whole life, at exit. */
export const PROFILE_DIR = `${ROOT}.data/bench/profiles`;
const profileArgs = (name: ServiceName) =>
  (process.env.BENCH_CPU_PROF ?? '').split(',').includes(name)
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${name}`, '--cpu-prof-interval=500']
    : [];

function logTail(name: ServiceName): string {
  const lines = readFileSync(logOf(name), 'utf8').trimEnd().split('\n');
  return lines.slice(-15).join('\n');
}

async function waitUntilReady(child: ChildProcess, readyUrl: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.signalCode ?? child.exitCode})`);
    const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the stack was not ready within ${START_TIMEOUT_MS / 1000} s`);
}

/** As `npm start` runs a service, its output to `.data/bench/logs/<name>.log`; resolves once its /ready answers 200. */
async function launch(
  name: ServiceName,
  env: Record<string, string>,
  readyUrl: string,
  deadline: number,
): Promise<ServiceProcess> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(logOf(name), 'w');
  const child = spawn(process.execPath, [...profileArgs(name), '--import', 'tsx', 'src/main.ts'], {
    cwd: SERVICE_DIRS[name],
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  killOnExit(child);
  try {
    await waitUntilReady(child, readyUrl, deadline);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`the ${name} process: ${(error as Error).message}; the end of ${logOf(name)}:\n${logTail(name)}`);
  }
  return { name, child };
}

/** The subgraphs side by side, then the gateway, which checks them (as `npm start` does); what started is in `started`. */
async function launchAll(plan: Plan, started: ServiceProcess[]): Promise<void> {
  const env = await environments(plan);
  const deadline = Date.now() + START_TIMEOUT_MS;
  const start = async (name: ServiceName) => started.push(await launch(name, env[name], `${origin(plan, name)}/ready`, deadline));
  const subgraphs = await Promise.allSettled((['users', 'keyboards', 'stats'] as const).map(start));
  const failed = subgraphs.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  await start('gateway');
}

/** Latest first: the gateway, then the keyboards and users publishers, then the statistics consumer. */
async function stopAll(started: ServiceProcess[]): Promise<void> {
  const order: ServiceName[] = ['gateway', 'keyboards', 'users', 'stats'];
  for (const name of order) {
    const service = started.find((each) => each.name === name);
    if (service) await stopProcess(service.child);
  }
}

async function deleteTopology(names: Plan['names']): Promise<void> {
  const { createBroker } = await import('@keylab/messaging');
  const { parseConfig, setting, z } = await import('@keylab/config');
  const { createLogger } = await import('@keylab/logger');
  const { AMQP_URL } = parseConfig(z.object({ AMQP_URL: setting.amqpUrl() }));
  const broker = createBroker({ url: AMQP_URL, name: 'keylab-bench-cleanup', logger: createLogger('bench', 'silent') });
  try {
    await broker.channel.waitForConnect();
    const queues = [names.emailQueue, names.signUps, names.statsQueue].flatMap((queue) => [queue, `${queue}.dead`]);
    for (const queue of queues) await broker.channel.deleteQueue(queue).catch(() => undefined);
    for (const exchange of [names.email, names.userEvents, names.statsEvents]) {
      await broker.channel.deleteExchange(exchange).catch(() => undefined);
    }
  } finally {
    await broker.close();
  }
}

function endpoints(run: Plan, started: ServiceProcess[], data: BenchData, visitorPrefix: string): Endpoints {
  const graphql = (name: ServiceName) => `${origin(run, name)}/graphql`;
  return {
    gatewayUrl: graphql('gateway'),
    subgraphUrls: { users: graphql('users'), keyboards: graphql('keyboards'), stats: graphql('stats') },
    jwksUrl: run.jwksUrl,
    statsExchange: run.names.statsEvents,
    gatewaySecret: run.gatewaySecret,
    filesPublicUrl: FILES_PUBLIC_URL,
    databaseUrls: { users: run.databases.users, keyboards: run.databases.keyboards },
    nodeEnv: run.nodeEnv,
    pids: Object.fromEntries(started.map(({ name, child }) => [name, child.pid!])) as Record<ServiceName, number>,
    token: data.token,
    owned: data.owned,
    accounts: data.accounts,
    visitorPrefix,
  };
}

async function serve(options: DeployedStackOptions & { nodeEnv: string }) {
  const { createBenchData } = await import('./bench-data');
  const run = await plan(options.nodeEnv);
  const started: ServiceProcess[] = [];
  const visitorPrefix = `bench-${randomBytes(6).toString('hex')}-`;
  let removeData: (() => Promise<void>) | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await stopAll(started);
      try {
        await removeData?.();
      } finally {
        await deleteTopology(run.names);
      }
    })());
  // Until it is up, serveAsChild does not close it: a benchmark gone meanwhile must not leave services behind.
  const closeAndExit = () => void close().finally(() => process.exit(1));
  process.once('SIGTERM', closeAndExit).once('disconnect', closeAndExit);
  try {
    await launchAll(run, started);
    const usersUrl = `${origin(run, 'users')}/graphql`;
    const data = await createBenchData({ usersUrl, gatewaySecret: run.gatewaySecret, visitorPrefix }, options);
    removeData = data.remove;
    const ready = endpoints(run, started, data, visitorPrefix);
    return { ready, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    process.off('SIGTERM', closeAndExit).off('disconnect', closeAndExit);
  }
}

serveAsChild(import.meta.url, serve);
