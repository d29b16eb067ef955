import type { IncomingHttpHeaders } from 'node:http';
import {
  bearerToken,
  InvalidTokenError,
  KeysUnavailableError,
  type AccessTokenVerifier,
  type TokenProblem,
  type Viewer,
} from '@keylab/auth';
import { AppError, pickLocale, type Locale, type MessageKey } from '@keylab/errors';
import { requestIdFrom, type Logger } from '@keylab/logger';
import type { ForwardedIdentity } from './gateway-proof';

/** What every resolver knows about the request it serves. */
export interface RequestContext {
  locale: Locale;
  requestId: string;
  /** The anonymous visitor id the gateway assigned (cookie) or the client sent. */
  visitorId: string | null;
  viewer: Viewer | null;
  /**
   * Why the Authorization header the request carried proves no one (expired, session ended, invalid), else null.
   * The request goes on as anonymous, so anonymous fields and refreshSession still answer; a field that needs an
   * account says UNAUTHENTICATED with this as `extensions.reason` (errorPolicyPlugin).
   */
  tokenProblem: TokenProblem | null;
  /** The caller's address as the gateway saw it (for rate limits), else the peer's address. */
  clientIp: string;
  logger: Logger;
}

const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

export function visitorIdFrom(value: string | string[] | undefined): string | null {
  const id = Array.isArray(value) ? value[0] : value;
  return id && VISITOR_ID.test(id) ? id : null;
}

export interface Caller {
  viewer: Viewer | null;
  tokenProblem: TokenProblem | null;
}

/**
 * Who an Authorization header proves: the viewer, or no one with the reason when the token is refused. Only
 * keys that cannot be fetched fail the request (SERVICE_UNAVAILABLE): the caller is not signed out then.
 */
export async function verifiedCaller(
  authorization: string | undefined,
  verify: AccessTokenVerifier,
  locale: Locale,
): Promise<Caller> {
  try {
    const token = bearerToken(authorization);
    return { viewer: token ? await verify(token) : null, tokenProblem: null };
  } catch (error) {
    if (error instanceof KeysUnavailableError) {
      // Thrown while the context is built, before any plugin: this adapter answers in the caller's language itself.
      throw new AppError('SERVICE_UNAVAILABLE', 'auth.keysUnavailable', {
        extensions: { service: 'users', http: { status: 503 } },
      }).localize(locale);
    }
    if (!(error instanceof InvalidTokenError)) throw error;
    return { viewer: null, tokenProblem: error.reason };
  }
}

/** UNAUTHENTICATED for a refused token, with the reason a client acts on (refresh when TOKEN_EXPIRED). */
export function tokenRefused(reason: TokenProblem): AppError {
  return new AppError('UNAUTHENTICATED', TOKEN_MESSAGES[reason], { extensions: { reason } });
}

const TOKEN_MESSAGES = {
  TOKEN_EXPIRED: 'auth.tokenExpired',
  TOKEN_REVOKED: 'auth.tokenRevoked',
  TOKEN_INVALID: 'auth.invalidToken',
} as const satisfies Record<TokenProblem, MessageKey>;

/** For a route that needs an account (uploads): the viewer, or UNAUTHENTICATED (401) with the reason. */
export async function verifiedViewer(
  authorization: string | undefined,
  verify: AccessTokenVerifier,
  locale: Locale,
): Promise<Viewer | null> {
  const { viewer, tokenProblem } = await verifiedCaller(authorization, verify, locale);
  if (tokenProblem) throw tokenRefused(tokenProblem).localize(locale);
  return viewer;
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
    ...(await verifiedCaller(headers.authorization, verify, locale)),
    clientIp: (forwarded.clientIp.length <= 64 && forwarded.clientIp) || 'unknown',
    logger: logger.child({ requestId }),
  };
}
