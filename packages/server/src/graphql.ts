import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES, translate, type Locale } from '@keylab/errors';
import type { Logger } from '@keylab/logger';

/** Codes that reach a client unchanged: ours, and GraphQL's own for documents and persisted queries. */
const PUBLIC_CODES = new Set<string>([
  ...ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

interface LocalizedContext {
  locale: Locale;
  requestId: string;
  visitorId: string | null;
  logger: Logger;
}

/** One debug line per operation: name, visitor, outcome and duration, under the request id. */
export function requestLogPlugin<C extends LocalizedContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
          contextValue.logger.debug(
            { operationName, visitorId: contextValue.visitorId, errors, ms: Math.round(performance.now() - started) },
            'graphql operation',
          );
        },
      };
    },
  };
}

/**
 * Unexpected errors (a bug, a lost database connection) are logged in full and reach the client as
 * INTERNAL with a localized message and the request id, never with internals.
 */
export function errorPolicyPlugin<C extends LocalizedContext>(): ApolloServerPlugin<C> {
  const isPublic = (error: GraphQLFormattedError) => PUBLIC_CODES.has(String(error.extensions?.code));
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const code = String(error.extensions?.code ?? '');
            if (!PUBLIC_CODES.has(code)) {
              contextValue.logger.error(
                { err: error.originalError ?? error, operationName, path: error.path },
                'unexpected error',
              );
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const { locale, requestId } = contextValue;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
            isPublic(error)
              ? error
              : {
                  message: translate(locale, 'internal', { requestId }),
                  path: error.path,
                  locations: error.locations,
                  extensions: { code: 'INTERNAL', requestId },
                },
          );
        },
      };
    },
  };
}

/** Apollo Sandbox in development; the production landing page (no Sandbox) otherwise. */
export function landingPagePlugin(sandbox: boolean) {
  return sandbox
    ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true })
    : ApolloServerPluginLandingPageProductionDefault({ footer: false });
}

export const GRAPHQL_BODY_LIMIT = '256kb';

/** Serves an Apollo server at `path` (POST for operations, GET for the landing page). */
export function mountGraphQL<C extends object>(
  app: Express,
  server: ApolloServer<C>,
  context: (req: Request, res: Response) => Promise<C>,
  path = '/graphql',
): void {
  app.use(
    path,
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    expressMiddleware(server, { context: ({ req, res }) => context(req, res) }),
  );
}
