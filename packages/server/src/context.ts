import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, InvalidTokenError, type AccessTokenVerifier, type Viewer } from '@keylab/auth';
import { AppError, pickLocale, type Locale } from '@keylab/errors';
import { requestIdFrom, type Logger } from '@keylab/logger';

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
    if (!(error instanceof InvalidTokenError)) throw error;
    // Thrown while the context is built, before any plugin: this adapter answers in the caller's language itself.
    throw new AppError('UNAUTHENTICATED', 'auth.invalidToken', { extensions: { http: { status: 401 } } }).localize(locale);
  }
}

/**
 * A subgraph's request context, read once from the headers the gateway forwards: the caller's language,
 * request id, visitor id, address and verified token.
 */
export async function requestContext(
  headers: IncomingHttpHeaders,
  verify: AccessTokenVerifier,
  logger: Logger,
  peerAddress = '',
): Promise<RequestContext> {
  const locale = pickLocale(headers['accept-language']);
  const requestId = requestIdFrom(headers['x-request-id']);
  const forwardedIp = headers['x-client-ip'];
  return {
    locale,
    requestId,
    visitorId: visitorIdFrom(headers['x-visitor-id']),
    viewer: await verifiedViewer(headers.authorization, verify, locale),
    clientIp: (typeof forwardedIp === 'string' && forwardedIp.length <= 64 ? forwardedIp : peerAddress) || 'unknown',
    logger: logger.child({ requestId }),
  };
}
