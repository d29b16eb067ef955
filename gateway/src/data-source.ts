import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/** Passes who is calling, in which language, and the request id on to every subgraph. */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema polling run without a request context.
    if (!context || !('requestId' in context) || !request.http) return;
    const headers = request.http.headers;
    headers.set('x-request-id', context.requestId);
    headers.set('accept-language', context.locale);
    if (context.visitorId) headers.set('x-visitor-id', context.visitorId);
    if (context.authorization) headers.set('authorization', context.authorization);
  }
}
