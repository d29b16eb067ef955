import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { translate, type MessageKey } from '@keylab/errors';
import type { GatewayConfig } from '../config';
import type { GatewayContext } from '../context';

/**
 * Depth, alias, directive and token limits (GraphQL Armor: the gateway itself has none), with field
 * suggestions hidden where introspection is off. Cost is operationCostPlugin's: Armor's ignores variables.
 */
export function operationLimits(config: GatewayConfig, introspection: boolean) {
  return new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, flattenFragments: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    maxDirectives: { n: config.GRAPHQL_MAX_DIRECTIVES },
    // Armor counts tokens inside Apollo's parsing hook, where its refusal cannot be localized: see tokenLimit.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !introspection },
  }).protect();
}

/** GraphQL Armor's English messages, and what each limit is called in ours. */
const ARMOR_MESSAGES: [RegExp, MessageKey, string][] = [
  [/Query depth limit of (\d+) exceeded, found (\d+)/, 'limits.depth', 'depth'],
  [/Aliases limit of (\d+) exceeded, found (\d+)/, 'limits.aliases', 'aliases'],
  [/Directives limit of (\d+) exceeded, found (\d+)/, 'limits.directives', 'directives'],
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
