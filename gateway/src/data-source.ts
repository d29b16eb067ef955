import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { REFRESH_COOKIE } from '@keylab/auth';
import { translate } from '@keylab/errors';
import { GATEWAY_PROOF_HEADER, signForwarded, type ForwardedIdentity } from '@keylab/server';
import type { GatewayContext } from './context';
import type { subgraphFetcher } from './fetcher';
import { answerEveryRepresentation, distinctRepresentations } from './internal/entity-representations';

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

/** The first error of a subgraph's 4xx GraphQL answer, when its code is one clients may see. */
function subgraphRefusal(error: Error): GraphQLError | undefined {
  // Duck-typed: the gateway throws the CommonJS build's GraphQLError, not the ESM one we import.
  const response = (error as { extensions?: { response?: { status?: number; body?: unknown } } }).extensions?.response;
  if (!response?.status || response.status < 400 || response.status >= 500) return undefined;
  const first = (response.body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined)?.errors?.[0];
  const code = first?.extensions?.code;
  if (typeof first?.message !== 'string' || typeof code !== 'string' || !CLIENT_CODES.has(code)) return undefined;
  return new GraphQLError(first.message, { extensions: { code } });
}

const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);

/**
 * Passes who is calling, from where, in which language, and the request id on to every subgraph, signed
 * with the secret the subgraphs share (they answer nothing else).
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    fetcher: ReturnType<typeof subgraphFetcher>,
    private readonly gatewaySecret: string,
  ) {
    super({ url, fetcher: fetcher as unknown as RemoteGraphQLDataSource['fetcher'] });
  }

  /** An `_entities` fetch asks for each distinct entity once; the answers go back to every place that asked. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const representations = options.request.variables?.representations;
    const distinct = Array.isArray(representations) ? distinctRepresentations(representations) : null;
    if (!distinct) return this.fetchOnce(options);
    const variables = { ...options.request.variables, representations: distinct.distinct };
    const answer = await this.fetchOnce({ ...options, request: { ...options.request, variables } });
    return answerEveryRepresentation(answer, distinct);
  }

  /**
   * RemoteGraphQLDataSource's process with the same hooks (willSendRequest, didEncounterError, didReceiveResponse),
   * less what this gateway never uses: persisted queries to subgraphs, subgraph Cache-Control (the subgraphs send
   * none), and a node-fetch Request built on every fetch only for hooks that do not read it (a URL parse and a
   * copy of the headers each time).
   */
  private async fetchOnce(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    // Health checks and schema loading come without a request's context.
    const context = options.context as GatewayContext;
    const headers = new Headers();
    for (const [name, value] of request.http?.headers ?? []) headers.append(name, value);
    headers.set('content-type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers: headers as unknown as NonNullable<typeof request.http>['headers'] };
    this.willSendRequest(options);
    const { http, ...body } = request;
    let answer: FetcherResponse | undefined;
    let response: GatewayGraphQLResponse;
    try {
      answer = await this.fetcher(http.url, { method: 'POST', headers: Object.fromEntries(headers), body: JSON.stringify(body) });
      if (!answer.ok) throw await this.errorFromResponse(answer);
      const parsed = await this.parseBody(answer);
      if (typeof parsed !== 'object' || parsed === null) throw new Error(`Expected JSON response body, but received: ${parsed}`);
      response = { ...parsed, http: answer } as GatewayGraphQLResponse;
    } catch (error) {
      this.didEncounterError(error as Error, undefined, answer, context);
      throw error;
    }
    const pathInIncomingRequest = 'pathInIncomingRequest' in options ? options.pathInIncomingRequest : undefined;
    return this.didReceiveResponse({ response, request, context, pathInIncomingRequest });
  }

  override willSendRequest({
    request,
    context,
  }: Pick<GraphQLDataSourceProcessOptions<GatewayContext>, 'request' | 'context'>): void {
    if (!request.http) return;
    const headers = request.http.headers;
    // Health checks and schema polling run without a request context: the gateway speaks for itself.
    const caller = context && 'requestId' in context ? context : undefined;
    const identity: ForwardedIdentity = {
      requestId: caller?.requestId ?? crypto.randomUUID(),
      clientIp: caller?.clientIp ?? '',
      visitorId: caller?.visitorId ?? null,
      refreshToken: this.subgraph === 'users' ? caller?.refreshToken : undefined,
    };
    headers.set('x-request-id', identity.requestId);
    if (identity.clientIp) headers.set('x-client-ip', identity.clientIp);
    if (identity.visitorId) headers.set('x-visitor-id', identity.visitorId);
    if (identity.refreshToken) headers.set('x-refresh-token', identity.refreshToken);
    headers.set(GATEWAY_PROOF_HEADER, signForwarded(this.gatewaySecret, identity));
    if (!caller) return;
    headers.set('accept-language', caller.locale);
    if (caller.authorization) headers.set('authorization', caller.authorization);
  }

  /**
   * An unreachable subgraph (refused, reset, or a proxy's 502-504) gets a typed, localized error of its
   * own. A subgraph's 400 (a variable its scalar refused, such as a DateTime) passes its own error on.
   */
  override didEncounterError(error: Error, _request: unknown, response?: { status: number }, context?: GatewayContext): void {
    const refused = subgraphRefusal(error);
    if (refused) throw refused;
    if (!response || response.status >= 502) {
      const locale = context && 'locale' in context ? context.locale : 'en';
      throw new GraphQLError(translate(locale, 'service.unavailable', { service: this.subgraph }), {
        extensions: { code: 'SERVICE_UNAVAILABLE', service: this.subgraph },
        originalError: error,
      });
    }
    throw error;
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
