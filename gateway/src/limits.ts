import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { translate, type MessageKey } from '@keylab/errors';
import { refuseRequest } from '@keylab/server';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { OriginPolicy } from './origins';

/**
 * Depth, alias, directive, token and cost limits (GraphQL Armor: the gateway itself has none), with
 * field suggestions hidden where introspection is off.
 */
export function operationLimits(config: GatewayConfig, introspection: boolean) {
  return new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    maxDirectives: { n: config.GRAPHQL_MAX_DIRECTIVES },
    // Armor counts tokens inside Apollo's parsing hook, where its refusal cannot be localized: see tokenLimit.
    maxTokens: { enabled: false },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST },
    blockFieldSuggestion: { enabled: !introspection },
  }).protect();
}

/** GraphQL Armor's English messages, and what each limit is called in ours. */
const ARMOR_MESSAGES: [RegExp, MessageKey, string][] = [
  [/Query depth limit of (\d+) exceeded, found (\d+)/, 'limits.depth', 'depth'],
  [/Aliases limit of (\d+) exceeded, found (\d+)/, 'limits.aliases', 'aliases'],
  [/Directives limit of (\d+) exceeded, found (\d+)/, 'limits.directives', 'directives'],
  [/Query Cost limit of (\d+) exceeded, found (\d+)/, 'limits.cost', 'cost'],
];

/** Rewrites a limit's error in the caller's language, with `extensions.limit` and the numbers. */
export function limitErrorsPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) => {
            for (const [pattern, key, limit] of ARMOR_MESSAGES) {
              const match = pattern.exec(error.message);
              if (!match) continue;
              const [max, found] = [Number(match[1]), match[2] === undefined ? undefined : Number(match[2])];
              return {
                ...error,
                message: translate(contextValue.locale, key, { max, found: found ?? '' }),
                extensions: { ...error.extensions, limit, max, ...(found === undefined ? {} : { found }) },
              };
            }
            return error;
          });
        },
      };
    },
  };
}

/**
 * An operation the executor could not pick (an unknown operationName, several operations and no name) or
 * cannot run (a subscription) is the caller's mistake: 400 with OPERATION_RESOLUTION_FAILURE, not the
 * gateway's INTERNAL.
 */
export function operationResolutionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          const key: MessageKey | undefined = !operation
            ? 'request.operation'
            : operation.operation === 'subscription'
              ? 'request.subscription'
              : undefined;
          if (key) {
            throw new GraphQLError(translate(contextValue.locale, key), {
              extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

const operationsOf = (body: unknown): unknown[] => (Array.isArray(body) ? body : [body]);

/** Batches (a JSON array of operations) of at most `max` operations. */
export function batchLimit(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (Array.isArray(req.body) && req.body.length > max) return refuseRequest(req, res, 400, 'limits.batch', { max });
    next();
  };
}

function tokenCount(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && count <= max) count += 1;
  } catch {
    // A syntax error: the parser reports it.
  }
  return count;
}

/** Documents of at most `max` tokens, counted by GraphQL's lexer before anything parses them. */
export function tokenLimit(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const operation of operationsOf(req.body)) {
      const query = (operation as { query?: unknown } | null)?.query;
      if (typeof query === 'string' && tokenCount(query, max) > max) {
        return refuseRequest(req, res, 400, 'limits.tokens', { max }, { code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens', max });
      }
    }
    next();
  };
}

/**
 * Refuses state-changing requests that a browser sent from an origin outside the allow-list (CORS only
 * stops the page from reading the answer; this stops the request from doing anything).
 */
export function foreignOriginGuard(trusted: OriginPolicy) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && !trusted(origin)) {
      return refuseRequest(req, res, 403, 'request.origin', {}, { code: 'FORBIDDEN' });
    }
    next();
  };
}
