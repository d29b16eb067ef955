import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { translate, type MessageKey } from '@keylab/errors';
import type { GatewayContext } from '../context';

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
