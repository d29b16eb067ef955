/**
 * A gateway for the gateway-vs-stock benchmark, alone in a forked child process (so that it shares an event loop
 * with neither the load generator nor the subgraphs it calls), in front of the subgraphs of a running stack:
 *
 * - `ours`: `startGateway()` from @keylab/gateway with the settings `startStack()` gives it (our plugins, data
 *   source, context, CSRF, CORS, visitor cookie, statistics events to the stack's exchange), over the checked-in
 *   `schema/supergraph.graphql`;
 * - `stock`: Apollo's documented default, `new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) })`
 *   served by `startStandaloneServer`, with no option, plugin or data source of ours. The subgraph URLs are
 *   rewritten in the supergraph SDL's `@join__graph(name:, url:)` (the gateway calls each subgraph at the URL
 *   composed into the supergraph), so nothing of the gateway itself is customised.
 *
 * The parent can ask the child to profile itself (the V8 sampling profiler through `node:inspector`, in the
 * child's own thread) between two points of the run, and to write the profile as a `.cpuprofile` file.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type GatewayKind = 'ours' | 'stock';

export interface SubgraphUrls {
  users: string;
  keyboards: string;
  stats: string;
}

export interface GatewaySpec {
  kind: GatewayKind;
  subgraphUrls: SubgraphUrls;
  /** For ours: the users service's keys, and the statistics exchange its operation events go to. */
  jwksUrl: string;
  statsExchange: string;
  /** NODE_ENV of the gateway process. */
  nodeEnv: string;
  /** For ours: settings over the ones startStack() gives its gateway. */
  settings?: Record<string, string>;
}

export interface RunningGateway {
  kind: GatewayKind;
  /** The GraphQL endpoint. */
  url: string;
  pid: number;
  /** Starts the V8 sampling profiler in the gateway process (one sample every `intervalUs` microseconds). */
  startProfile(intervalUs: number): Promise<void>;
  /** Stops it and writes the profile (Chrome DevTools `.cpuprofile` JSON) to `path`. */
  stopProfile(path: string): Promise<void>;
  close(): Promise<void>;
}

/** The composed supergraph, as the gateway reads it by default (SUPERGRAPH_PATH). */
export const SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

/** The supergraph SDL with each subgraph's `@join__graph` URL replaced; every subgraph must be named. */
export function withSubgraphUrls(sdl: string, urls: Record<string, string>): string {
  const graphs = [...sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g)].map((match) => match[1]!);
  const missing = graphs.filter((name) => !(name in urls));
  if (missing.length || graphs.length !== Object.keys(urls).length) {
    throw new Error(
      `the supergraph names the subgraphs ${graphs.join(', ')}; URLs were given for ${Object.keys(urls).join(', ')}`,
    );
  }
  return sdl.replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (_match, name: string) => `@join__graph(name: "${name}", url: ${JSON.stringify(urls[name])})`,
  );
}

const SERVE_FLAG = '--serve-gateway=';

type FromParent = { type: 'profile-start'; intervalUs: number } | { type: 'profile-stop'; path: string } | { type: 'close' };
type FromChild =
  | { type: 'ready'; url: string }
  | { type: 'profile-started' }
  | { type: 'profile-stopped' }
  | { type: 'failed'; message: string }
  | { type: 'closed' };

interface Served {
  url: string;
  close(): Promise<void>;
}

async function serveOurs(spec: GatewaySpec): Promise<Served> {
  const { parseConfig } = await import('@keylab/config');
  const { gatewaySettings, startGateway } = await import('@keylab/gateway');
  const { createLogger } = await import('@keylab/logger');
  // The settings startStack() gives the stack's own gateway, pointed at the same subgraphs.
  const config = parseConfig(gatewaySettings, {
    NODE_ENV: spec.nodeEnv,
    LOG_LEVEL: 'silent',
    PORT: '0',
    USERS_URL: spec.subgraphUrls.users,
    KEYBOARDS_URL: spec.subgraphUrls.keyboards,
    STATS_URL: spec.subgraphUrls.stats,
    JWKS_URL: spec.jwksUrl,
    STATS_EXCHANGE: spec.statsExchange,
    ...spec.settings,
  });
  const running = await startGateway(config, createLogger('gateway', 'silent'));
  return { url: `${running.url}/graphql`, close: () => running.close() };
}

async function serveStock(spec: GatewaySpec): Promise<Served> {
  const { ApolloGateway } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const supergraphSdl = withSubgraphUrls(readFileSync(SUPERGRAPH_PATH, 'utf8'), { ...spec.subgraphUrls });
  // As in Apollo's "Implementing a gateway with Apollo Server": nothing else is set.
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
  const { url } = await startStandaloneServer(server, { listen: { port: 0 } });
  // startStandaloneServer listens on every interface and answers http://localhost:<port>/.
  return { url: `http://127.0.0.1:${new URL(url).port}/`, close: () => server.stop() };
}

/** Child side: serve the gateway, report its URL, profile and close when the parent says so (or goes away). */
async function serveGateway(spec: GatewaySpec): Promise<void> {
  const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.on('SIGINT', () => {});
  const served = await (spec.kind === 'ours' ? serveOurs(spec) : serveStock(spec));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= served.close().catch((error: unknown) => {
      console.error(`closing the ${spec.kind} gateway failed:`, error);
    }));
  if (!process.connected) {
    await close();
    process.exit(0);
  }
  const session = new Session();
  session.connect();
  process.on('message', async (message: FromParent) => {
    try {
      if (message.type === 'profile-start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: message.intervalUs });
        await session.post('Profiler.start');
        await send({ type: 'profile-started' });
      } else if (message.type === 'profile-stop') {
        const { profile } = await session.post('Profiler.stop');
        await session.post('Profiler.disable');
        await mkdir(dirname(message.path), { recursive: true });
        await writeFile(message.path, JSON.stringify(profile));
        await send({ type: 'profile-stopped' });
      } else if (message.type === 'close') {
        session.disconnect();
        await close();
        await send({ type: 'closed' });
        process.exit(0);
      }
    } catch (error) {
      await send({ type: 'failed', message: (error as Error).message });
    }
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  await send({ type: 'ready', url: served.url });
}

/** Parent side: fork this file as a gateway process and wait for its URL. */
export function startGatewayProcess(spec: GatewaySpec): Promise<RunningGateway> {
  const child = fork(fileURLToPath(import.meta.url), [`${SERVE_FLAG}${JSON.stringify(spec)}`], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: spec.nodeEnv, APOLLO_TELEMETRY_DISABLED: '1' },
  });
  // One request at a time: each waits for its own answer type.
  const ask = (message: FromParent, answer: FromChild['type']) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (reply: FromChild) => {
        if (reply.type !== answer && reply.type !== 'failed') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (reply.type === 'failed') reject(new Error(`${spec.kind} gateway: ${reply.message}`));
        else resolve();
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`the ${spec.kind} gateway process exited (code ${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the ${spec.kind} gateway process exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: FromChild) => {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      let closing: Promise<void> | undefined;
      resolve({
        kind: spec.kind,
        url: message.url,
        pid: child.pid!,
        startProfile: (intervalUs) => ask({ type: 'profile-start', intervalUs }, 'profile-started'),
        stopProfile: (path) => ask({ type: 'profile-stop', path }, 'profile-stopped'),
        close: () =>
          (closing ??= new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill(), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send({ type: 'close' } satisfies FromParent);
          })),
      });
    });
  });
}

const served = process.argv.find((arg) => arg.startsWith(SERVE_FLAG));
if (served) {
  serveGateway(JSON.parse(served.slice(SERVE_FLAG.length)) as GatewaySpec).catch((error: unknown) => {
    console.error('the gateway failed to start:', error);
    process.exit(1);
  });
}
