import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode } from 'graphql';
import { translate, type Locale } from '@keylab/errors';
import type { GatewayContext } from '../context';
import { operationCost, type CostedOperation } from '../internal/operation-cost';

/** Costs already counted, per parsed document (Apollo keeps one per query text and schema) and variables. */
const countedCosts = new WeakMap<DocumentNode, Map<string, number | undefined>>();
const COSTS_PER_DOCUMENT = 100;

function costOf(operation: CostedOperation): number | undefined {
  let byVariables = countedCosts.get(operation.document);
  if (!byVariables) countedCosts.set(operation.document, (byVariables = new Map()));
  const key = `${operation.operation.name?.value ?? ''}\u0000${JSON.stringify(operation.variables ?? {})}`;
  if (byVariables.has(key)) return byVariables.get(key);
  const cost = operationCost(operation);
  if (byVariables.size >= COSTS_PER_DOCUMENT) byVariables.delete(byVariables.keys().next().value!);
  byVariables.set(key, cost);
  return cost;
}

function costRefusal(locale: Locale, max: number, found: number | undefined): GraphQLError {
  return new GraphQLError(translate(locale, 'limits.cost', { max, found: found ?? `>${max}` }), {
    extensions: {
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: 'cost',
      max,
      ...(found === undefined ? {} : { found }),
      http: { status: 400 },
    },
  });
}

/**
 * Refuses, before anything is planned or sent to a subgraph, an operation whose cost (see operationCost)
 * is over `maxCost`, and tells every answer what its operation cost in `extensions.cost`, as GitHub and
 * Shopify do. It runs once the variables are known, which validation rules are not told (and Apollo skips
 * them for a document it has validated before).
 */
export function operationCostPlugin(maxCost: number): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let requestedQueryCost: number | null | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          let cost: number | undefined;
          try {
            cost = costOf({ schema, document, operation, variables: request.variables });
          } catch (error) {
            contextValue.logger.warn({ err: error }, 'operation too large to count its cost');
            requestedQueryCost = null;
            throw costRefusal(contextValue.locale, maxCost, undefined);
          }
          if (cost === undefined) return;
          requestedQueryCost = cost;
          if (cost > maxCost) throw costRefusal(contextValue.locale, maxCost, cost);
        },
        async willSendResponse({ response }) {
          if (requestedQueryCost === undefined) return;
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          result.extensions = { ...result.extensions, cost: { requestedQueryCost, maximumAvailable: maxCost } };
        },
      };
    },
  };
}
