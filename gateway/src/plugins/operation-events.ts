import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import { newEventId, type StatsEventPublisher } from '@keylab/messaging';
import type { GatewayContext } from '../context';

/** Sandbox and codegen tools poll the schema; that is not a visitor doing anything. */
const isIntrospection = (operation: OperationDefinitionNode | undefined) =>
  !!operation?.selectionSet.selections.length &&
  operation.selectionSet.selections.every((selection) => selection.kind === 'Field' && selection.name.value.startsWith('__'));

/**
 * One statistics event per GraphQL operation: name, type, visitor, user, start time, duration and
 * outcome. Publishing is an array push (see createStatsEventPublisher); the response never waits for it.
 */
export function operationEventsPlugin(publisher: StatsEventPublisher): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const at = new Date();
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, response, errors }) {
          if (isIntrospection(operation)) return;
          const firstError =
            errors?.[0] ?? (response.body.kind === 'single' ? response.body.singleResult.errors?.[0] : undefined);
          publisher.publish({
            kind: 'operation',
            id: newEventId(),
            at: at.toISOString(),
            visitorId: contextValue.visitorId,
            userId: contextValue.viewer?.userId ?? null,
            operationName: (operation?.name?.value ?? operationName ?? null)?.slice(0, 200) ?? null,
            operationType: operation?.operation ?? null,
            durationMs: Math.round(performance.now() - started),
            outcome: firstError ? 'error' : 'success',
            ...(firstError ? { errorCode: String(firstError.extensions?.code ?? 'INTERNAL').slice(0, 100) } : {}),
          });
        },
      };
    },
  };
}
