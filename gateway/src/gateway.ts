import { readFileSync } from 'node:fs';
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import cors from 'cors';
import express from 'express';
import type { Logger } from '@keylab/logger';
import { assertStatsEventsTopology, createBroker, createStatsEventPublisher } from '@keylab/messaging';
import {
  errorPolicyPlugin,
  listen,
  mountGraphQL,
  mountHealth,
  requestLogPlugin,
  type ReadinessChecks,
  type RunningServer,
  accessTokenVerifier,
  gatewaySecret,
} from '@keylab/server';
import { createRedis } from '@keylab/redis';
import { explorerEnabled, introspectionEnabled, sandboxEnabled, secureCookies, subgraphUrls, type GatewayConfig } from './config';
import { gatewayContext, type GatewayContext } from './context';
import { ForwardingDataSource } from './data-source';
import { subgraphFetcher } from './fetcher';
import { fileProxy } from './http/file-proxy';
import { ImmutableFiles } from './http/immutable-files';
import { foreignOriginGuard, originPolicy } from './http/origins';
import { mountPages, type PageName } from './http/pages';
import { batchLimit, tokenLimit } from './http/request-limits';
import { gatewayLandingPagePlugin } from './plugins/landing-page';
import { operationEventsPlugin } from './plugins/operation-events';
import { operationCostPlugin } from './plugins/operation-cost';
import { limitErrorsPlugin, operationLimits } from './plugins/operation-limits';
import { operationResolutionPlugin } from './plugins/operation-resolution';

const MIB = 1024 * 1024;

async function subgraphReady(graphqlUrl: string): Promise<void> {
  const response = await fetch(new URL('/ready', graphqlUrl), { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, { ok: boolean; error?: string }> };
    const failing = Object.entries(body.checks ?? {})
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}: ${check.error}`);
    throw new Error(failing.length ? failing.join('; ') : `HTTP ${response.status}`);
  }
}

const PAGE_TITLES: Record<PageName, string> = {
  graphiql: 'GraphiQL: run operations, read the schema docs',
  admin: 'Statistics dashboard (administrators)',
};
const pageLinks = (pages: PageName[]) => pages.map((page) => ({ href: `/${page}/`, title: PAGE_TITLES[page] }));

/** The public entry point: one supergraph over the users, keyboards and stats subgraphs. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningServer> {
  const urls = subgraphUrls(config);
  const fetcher = subgraphFetcher();
  const secret = await gatewaySecret(config);
  const gateway = new ApolloGateway({
    logger,
    ...(config.SUPERGRAPH_SOURCE === 'file'
      ? { supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8') }
      : {
          supergraphSdl: new IntrospectAndCompose({
            subgraphs: Object.entries(urls).map(([name, url]) => ({ name, url })),
            pollIntervalInMs: config.SUPERGRAPH_POLL_INTERVAL_MS,
          }),
        }),
    buildService: ({ name, url }) => new ForwardingDataSource(name, urls[name] ?? url!, fetcher, secret),
  });
  const broker = createBroker({
    url: config.AMQP_URL,
    name: 'gateway',
    logger,
    setup: (channel) => assertStatsEventsTopology(channel, config.STATS_EXCHANGE),
  });
  const operationEvents = createStatsEventPublisher({ broker, logger, exchange: config.STATS_EXCHANGE, routingKey: 'operation' });
  const introspection = introspectionEnabled(config);
  const limits = operationLimits(config, introspection);
  const pages: PageName[] = explorerEnabled(config) ? ['graphiql', 'admin'] : ['admin'];
  const server = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection,
    allowBatchedHttpRequests: config.GRAPHQL_MAX_BATCH > 1,
    validationRules: limits.validationRules,
    includeStacktraceInErrorResponses: false,
    // stopOnSignal owns shutdown: it closes the HTTP server first, then Apollo, then the connections.
    stopOnTerminationSignals: false,
    plugins: [
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      limitErrorsPlugin(),
      operationCostPlugin(config.GRAPHQL_MAX_COST),
      operationResolutionPlugin(),
      errorPolicyPlugin<GatewayContext>(),
      requestLogPlugin<GatewayContext>(),
      operationEventsPlugin(operationEvents),
      gatewayLandingPagePlugin(sandboxEnabled(config), pageLinks(pages)),
    ],
  });
  await server.start();

  const redis = createRedis(config.REDIS_URL, logger);
  const verify = accessTokenVerifier(
    { jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    redis,
    logger,
  );
  const app = express();
  app.disable('x-powered-by');
  // Operation answers are never cached by ETag; hashing every large POST answer is wasted work.
  app.set('etag', false);
  app.set('trust proxy', config.TRUST_PROXY);
  const checks: ReadinessChecks = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, () => subgraphReady(url)]));
  mountHealth(app, 'gateway', checks);
  app.get('/', (_req, res) => res.redirect('/graphql'));
  let port = config.PORT;
  const trusted = originPolicy(config, () => port);
  app.use(
    ['/graphql', '/files', '/uploads', '/exports'],
    cors({ origin: (origin, allow) => allow(null, origin !== undefined && trusted(origin)), credentials: true, maxAge: 600 }),
  );
  app.use(['/graphql', '/uploads'], foreignOriginGuard(trusted));
  mountPages(app, config.PAGES_DIR, pages, logger);
  const held =
    config.FILES_MEMORY_MB > 0 ? new ImmutableFiles(config.FILES_MEMORY_MB * MIB, (config.FILES_MEMORY_MB * MIB) / 8) : undefined;
  app.use('/files', fileProxy(urls.keyboards!, logger, secret, { held }));
  app.use('/uploads', fileProxy(urls.keyboards!, logger, secret));
  app.use('/exports', fileProxy(urls.stats!, logger, secret, { service: 'statistics' }));
  mountGraphQL(app, server, (req, res) => gatewayContext(req, res, verify, logger, secureCookies(config)), {
    guards: [batchLimit(config.GRAPHQL_MAX_BATCH), tokenLimit(config.GRAPHQL_MAX_TOKENS)],
  });
  const running = await listen(app, config.PORT, config.HOST);
  port = running.port;
  logger.info({ url: `${running.url}/graphql` }, 'gateway ready');
  return {
    ...running,
    async close() {
      await running.close();
      await server.stop();
      await operationEvents.close();
      await broker.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
