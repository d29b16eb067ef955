import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/** The refresh-token cookie: only the users subgraph receives it (as a header) and may set it. */
export const REFRESH_COOKIE = 'kl_refresh';

type HeadersWithCookies = {
  get(name: string): string | null;
  getSetCookie?: () => string[];
  raw?: () => Record<string, string[]>;
};

function setCookies(headers: HeadersWithCookies): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  if (typeof headers.raw === 'function') return headers.raw()['set-cookie'] ?? [];
  const single = headers.get('set-cookie');
  return single ? [single] : [];
}

/** Passes who is calling, from where, in which language, and the request id on to every subgraph. */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema polling run without a request context.
    if (!context || !('requestId' in context) || !request.http) return;
    const headers = request.http.headers;
    headers.set('x-request-id', context.requestId);
    headers.set('accept-language', context.locale);
    headers.set('x-client-ip', context.clientIp);
    if (context.visitorId) headers.set('x-visitor-id', context.visitorId);
    if (context.authorization) headers.set('authorization', context.authorization);
    if (this.subgraph === 'users' && context.refreshToken) headers.set('x-refresh-token', context.refreshToken);
  }

  override async didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    if (this.subgraph === 'users' && context && 'res' in context && response.http) {
      for (const cookie of setCookies(response.http.headers as unknown as HeadersWithCookies)) {
        if (cookie.startsWith(`${REFRESH_COOKIE}=`)) context.res.append('set-cookie', cookie);
      }
    }
    return response;
  }
}
