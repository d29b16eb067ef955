import type { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import { appErrorOf, ERROR_CODES, pickLocale, translate, type Locale, type MessageKey } from '@keylab/errors';
import type { TokenProblem } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { tokenRefused } from './context';

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
  /** Why the request's token proves no one (RequestContext.tokenProblem); absent where there are no tokens. */
  tokenProblem?: TokenProblem | null;
  requestId: string;
  visitorId: string | null;
  clientIp: string;
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
            {
              operationName,
              visitorId: contextValue.visitorId,
              clientIp: contextValue.clientIp,
              errors,
              ms: Math.round(performance.now() - started),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

/**
 * The edge of every process for errors: the domain's AppErrors get the caller's language here; unexpected
 * errors (a bug, a lost database connection) are logged in full and reach the client as INTERNAL with a
 * localized message and the request id, never with internals.
 */
export function errorPolicyPlugin<C extends LocalizedContext>(): ApolloServerPlugin<C> {
  const isPublic = (error: GraphQLFormattedError) => PUBLIC_CODES.has(String(error.extensions?.code));
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            // "Sign in" is the wrong advice to a client whose token has only expired: it should refresh.
            const refused = error.extensions?.code === 'UNAUTHENTICATED' && !error.extensions.reason && contextValue.tokenProblem;
            const appError = refused ? tokenRefused(refused) : appErrorOf(error);
            if (refused) error.extensions.reason = refused;
            if (appError) error.message = appError.messageIn(contextValue.locale);
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
          // Apollo's own refusals of a request (a persisted query of an unknown version, say) carry no code.
          const refusedRequest = (response.http.status ?? 200) >= 400 && (response.http.status ?? 200) < 500;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
            isPublic(error)
              ? error
              : refusedRequest
                ? { message: error.message, extensions: { code: 'BAD_REQUEST' } }
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

/** A GraphQL-shaped error answer for a request refused before it reaches Apollo Server. */
export function refuseRequest(
  req: Request,
  res: Response,
  status: number,
  key: MessageKey,
  params: Record<string, string | number> = {},
  extensions: Record<string, unknown> = { code: 'BAD_REQUEST' },
): void {
  const message = translate(pickLocale(req.headers['accept-language']), key, params);
  res.status(status).json({ errors: [{ message, extensions }] });
}

export interface MountOptions {
  path?: string;
  /** Checks of the parsed body that run before Apollo Server (limits). */
  guards?: RequestHandler[];
}

/** Serves an Apollo server at `path` (POST for operations, GET for the landing page). */
export function mountGraphQL<C extends object>(
  app: Express,
  server: ApolloServer<C>,
  context: (req: Request, res: Response) => Promise<C>,
  { path = '/graphql', guards = [] }: MountOptions = {},
): void {
  app.use(
    path,
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    ...guards,
    expressMiddleware(server, { context: ({ req, res }) => context(req, res) }),
  );
  // Body parser failures as GraphQL-shaped errors instead of Express's HTML page.
  app.use(path, (error: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') return refuseRequest(req, res, 413, 'limits.body', { max: GRAPHQL_BODY_LIMIT });
    if (error.type === 'entity.parse.failed') return refuseRequest(req, res, 400, 'request.json');
    if (error.status && error.status >= 400 && error.status < 500) return refuseRequest(req, res, error.status, 'request.body');
    return next(error);
  });
}
