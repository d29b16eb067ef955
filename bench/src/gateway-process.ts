/**
 * A gateway alone in a child process, in front of running subgraphs:
 * - `ours`: `startGateway()` from @keylab/gateway with the settings the stack's own gateway has (its `GATEWAY_SECRET`
 *   included), plus the two that NODE_ENV=production requires: that secret and `CORS_ORIGINS`, set to their defaults;
 * - `stock`: Apollo's documented default, `new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) })` with
 *   `startStandaloneServer`; the subgraph URLs are set in the SDL's `@join__graph(url:)`. One difference from
 *   Apollo's defaults, because our subgraphs answer the gateway only: `buildService` gives each subgraph a
 *   `RemoteGraphQLDataSource` subclass whose `willSendRequest` sets `x-request-id` (a new id) and `x-gateway-proof`
 *   (`signForwarded` with the stack's secret over that id, no client address, no visitor), one HMAC per subgraph
 *   request as ours computes; nothing else (no other header, option or plugin).
 * The secret reaches the child in its environment (`GATEWAY_SECRET`), not on its command line.
 * The parent can have it profile itself (V8's sampling profiler through `node:inspector`) and write the profile.
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveAsChild, startChild, type Served } from './child-process';

export type GatewayKind = 'ours' | 'stock';

export interface SubgraphUrls {
  users: string;
  keyboards: string;
  stats: string;
}

export interface GatewaySpec {
  kind: GatewayKind;
  subgraphUrls: SubgraphUrls;
  jwksUrl: string;
  statsExchange: string;
  nodeEnv: string;
  /** Ours: settings over the ones the stack's own gateway has. */
  settings?: Record<string, string>;
}

export interface RunningGateway {
  kind: GatewayKind;
  url: string;
  pid: number;
  startProfile(intervalUs: number): Promise<void>;
  /** Stops the profiler and writes the `.cpuprofile` JSON to `path`. */
  stopProfile(path: string): Promise<void>;
  close(): Promise<void>;
}

type ProfileRequest = { start: number } | { stopTo: string };

const SUPERGRAPH_PATH = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));
const JOIN_GRAPH = /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g;

function withSubgraphUrls(sdl: string, urls: Record<string, string>): string {
  const graphs = [...sdl.matchAll(JOIN_GRAPH)].map((match) => match[1]!);
  if (graphs.some((name) => !(name in urls)) || graphs.length !== Object.keys(urls).length) {
    throw new Error(
      `the supergraph names the subgraphs ${graphs.join(', ')}; URLs were given for ${Object.keys(urls).join(', ')}`,
    );
  }
  return sdl.replace(JOIN_GRAPH, (_match, name: string) => `@join__graph(name: "${name}", url: ${JSON.stringify(urls[name])})`);
}

/** The stack's gateway secret, which the parent puts in this process's environment. */
function gatewaySecret(): string {
  const secret = process.env.GATEWAY_SECRET;
  if (!secret) throw new Error('GATEWAY_SECRET is not set: the subgraphs answer only requests signed with it');
  return secret;
}

async function serveOurs(spec: GatewaySpec): Promise<Served<string>> {
  const { parseConfig } = await import('@keylab/config');
  const { gatewaySettings, startGateway } = await import('@keylab/gateway');
  const { createLogger } = await import('@keylab/logger');
  const config = parseConfig(gatewaySettings, {
    NODE_ENV: spec.nodeEnv,
    LOG_LEVEL: 'silent',
    PORT: '0',
    USERS_URL: spec.subgraphUrls.users,
    KEYBOARDS_URL: spec.subgraphUrls.keyboards,
    STATS_URL: spec.subgraphUrls.stats,
    JWKS_URL: spec.jwksUrl,
    STATS_EXCHANGE: spec.statsExchange,
    GATEWAY_SECRET: gatewaySecret(),
    // Required with NODE_ENV=production, where it has no default: the list the stack's gateway has by default.
    CORS_ORIGINS: parseConfig(gatewaySettings, { NODE_ENV: 'development' }).CORS_ORIGINS.join(','),
    ...spec.settings,
  });
  const running = await startGateway(config, createLogger('gateway', 'silent'));
  return { ready: `${running.url}/graphql`, close: () => running.close() };
}

async function serveStock(spec: GatewaySpec): Promise<Served<string>> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const { gatewayProofHeaders } = await import('@keylab/server');
  const secret = gatewaySecret();
  /** The one difference from Apollo's defaults: the proof without which our subgraphs answer 403. */
  class ProvingDataSource extends RemoteGraphQLDataSource {
    override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
      for (const [name, value] of Object.entries(gatewayProofHeaders(secret))) request.http?.headers.set(name, value);
    }
  }
  const supergraphSdl = withSubgraphUrls(readFileSync(SUPERGRAPH_PATH, 'utf8'), { ...spec.subgraphUrls });
  const gateway = new ApolloGateway({ supergraphSdl, buildService: ({ url }) => new ProvingDataSource({ url }) });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0 } });
  // It listens on every interface and answers http://localhost:<port>/.
  return { ready: `http://127.0.0.1:${new URL(url).port}/`, close: () => server.stop() };
}

/** `gatewaySecret`: the stack's, which the subgraphs check (in the child's environment, not in `spec` on its command line). */
export async function startGatewayProcess(spec: GatewaySpec, gatewaySecret: string): Promise<RunningGateway> {
  const env = { ...process.env, NODE_ENV: spec.nodeEnv, APOLLO_TELEMETRY_DISABLED: '1', GATEWAY_SECRET: gatewaySecret };
  const child = await startChild<string>(`the ${spec.kind} gateway process`, import.meta.url, spec, env);
  return {
    kind: spec.kind,
    url: child.ready,
    pid: child.pid,
    startProfile: (intervalUs) => child.ask({ start: intervalUs } satisfies ProfileRequest),
    stopProfile: (path) => child.ask({ stopTo: path } satisfies ProfileRequest),
    close: child.close,
  };
}

serveAsChild(import.meta.url, async (spec: GatewaySpec) => {
  const served = await (spec.kind === 'ours' ? serveOurs(spec) : serveStock(spec));
  const session = new Session();
  session.connect();
  const answer = async (request: ProfileRequest) => {
    if ('start' in request) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: request.start });
      await session.post('Profiler.start');
      return;
    }
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    await mkdir(dirname(request.stopTo), { recursive: true });
    await writeFile(request.stopTo, JSON.stringify(profile));
  };
  return { ...served, answer };
});
