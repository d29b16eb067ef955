import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, InvalidTokenError, KeysUnavailableError, type AccessTokenVerifier, type Viewer } from '@keylab/auth';
import { AppError, pickLocale, type Locale } from '@keylab/errors';
import { requestIdFrom, type Logger } from '@keylab/logger';
import type { ForwardedIdentity } from './gateway-proof';

/** What every resolver knows about the request it serves. */
export interface RequestContext {
  locale: Locale;
  requestId: string;
  /** The anonymous visitor id the gateway assigned (cookie) or the client sent. */
  visitorId: string | null;
  viewer: Viewer | null;
  /** The caller's address as the gateway saw it (for rate limits), else the peer's address. */
  clientIp: string;
  logger: Logger;
}

const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function visitorIdFrom(value: string | string[] | undefined): string | null {
  const id = Array.isArray(value) ? value[0] : value;
  return id && VISITOR_ID.test(id) ? id : null;
}

/**
 * The viewer an Authorization header proves. A token that is present but fails verification is an
 * UNAUTHENTICATED error (status 401), never a silent anonymous request.
 */
export async function verifiedViewer(
  authorization: string | undefined,
  verify: AccessTokenVerifier,
  locale: Locale,
): Promise<Viewer | null> {
  try {
    const token = bearerToken(authorization);
    return token ? await verify(token) : null;
  } catch (error) {
    if (error instanceof KeysUnavailableError) {
      // The users service's keys cannot be fetched: the caller is not signed out, this part is down.
      throw new AppError('SERVICE_UNAVAILABLE', 'auth.keysUnavailable', {
        extensions: { service: 'users', http: { status: 503 } },
      }).localize(locale);
    }
    if (!(error instanceof InvalidTokenError)) throw error;
    // Thrown while the context is built, before any plugin: this adapter answers in the caller's language itself.
    throw new AppError('UNAUTHENTICATED', 'auth.invalidToken', { extensions: { http: { status: 401 } } }).localize(locale);
  }
}

/** The forwarded values exactly as the headers carry them (what the gateway's proof covers). */
export function forwardedIdentity(headers: IncomingHttpHeaders): ForwardedIdentity {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return {
    requestId: one(headers['x-request-id']) ?? '',
    clientIp: one(headers['x-client-ip']) ?? '',
    visitorId: one(headers['x-visitor-id']) ?? null,
    refreshToken: one(headers['x-refresh-token']),
  };
}

/**
 * A subgraph's request context, read once: the caller's language and verified token from the headers, and
 * the request id, visitor and address the gateway vouched for (see requireGateway).
 */
export async function requestContext(
  headers: IncomingHttpHeaders,
  forwarded: ForwardedIdentity,
  verify: AccessTokenVerifier,
  logger: Logger,
): Promise<RequestContext> {
  const locale = pickLocale(headers['accept-language']);
  const requestId = requestIdFrom(forwarded.requestId);
  return {
    locale,
    requestId,
    visitorId: visitorIdFrom(forwarded.visitorId ?? undefined),
    viewer: await verifiedViewer(headers.authorization, verify, locale),
    clientIp: (forwarded.clientIp.length <= 64 && forwarded.clientIp) || 'unknown',
    logger: logger.child({ requestId }),
  };
}
