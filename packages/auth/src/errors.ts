/** Why a token is refused, as a client must tell them apart: an expired token is refreshed, the others are not. */
export type TokenProblem = 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_INVALID';

/** The token is not one to accept (signature, claims, typ, expiry, or its session has ended): UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';

  constructor(
    message: string,
    readonly reason: TokenProblem = 'TOKEN_INVALID',
  ) {
    super(message);
  }
}

/**
 * The users service's keys cannot be had (its JWKS has been unreachable for too long), so the token could
 * not be checked at all: SERVICE_UNAVAILABLE, not UNAUTHENTICATED, because the caller is not signed out.
 */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}
