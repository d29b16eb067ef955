import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import express, { type Express, type Request, type Response } from 'express';
import type { DocumentNode } from 'graphql';
import type { AccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { requestContext, type RequestContext } from './context';
import { requireGateway, verifiedForwarded } from './require-gateway';
import { errorPolicyPlugin, landingPagePlugin, mountGraphQL, requestLogPlugin } from './graphql';
import { listen, mountHealth, type ReadinessChecks, type RunningServer } from './http';

export interface SubgraphOptions<C extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed where they are written by its generated `Resolvers` type. */
  resolvers: object;
  port: number;
  host?: string;
  logger: Logger;
  verifyAccessToken: AccessTokenVerifier;
  checks: ReadinessChecks;
  sandbox: boolean;
  /** The secret the gateway signs what it forwards with; see requireGateway. */
  gatewaySecret: string;
  /** Paths only the gateway may call (GraphQL, and routes the gateway passes on). */
  gatewayOnly?: string[];
  /** Adds what this service's resolvers need per request (data loaders, ...) to the base context. */
  extendContext: (base: RequestContext, http: { req: Request; res: Response }) => C;
  /** Extra plain HTTP routes, mounted before GraphQL. */
  routes?: (app: Express) => void;
}

/** Starts one federated subgraph: GraphQL at /graphql, /health and /ready, on its own HTTP server. */
export async function startSubgraph<C extends RequestContext>(options: SubgraphOptions<C>): Promise<RunningServer> {
  const logger = options.logger.child({ graph: options.name });
  const server = new ApolloServer<C>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> }]),
    // No usage reporting here, so federated tracing would only cost time; no schema sets cache hints, and the
    // cache-control plugin alone wraps every field resolver (Apollo instruments the schema for any plugin
    // with willResolveField): without either, fields resolve with graphql-js alone.
    plugins: [
      errorPolicyPlugin<C>(),
      requestLogPlugin<C>(),
      landingPagePlugin(options.sandbox),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
    includeStacktraceInErrorResponses: false,
    // stopOnSignal owns shutdown: it closes the HTTP server first, then Apollo, then the connections.
    stopOnTerminationSignals: false,
  });
  await server.start();
  const app = express();
  app.disable('x-powered-by');
  mountHealth(app, options.name, options.checks);
  app.use(options.gatewayOnly ?? ['/graphql'], requireGateway(options.gatewaySecret));
  options.routes?.(app);
  mountGraphQL(app, server, async (req, res) =>
    options.extendContext(await requestContext(req.headers, verifiedForwarded(res), options.verifyAccessToken, logger), {
      req,
      res,
    }),
  );
  const running = await listen(app, options.port, options.host);
  logger.info({ url: `${running.url}/graphql` }, `${options.name} subgraph ready`);
  return {
    ...running,
    async close() {
      await running.close();
      await server.stop();
    },
  };
}
