/** The token is not one to accept (signature, claims, typ, expiry, or its session has ended): UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/**
 * The users service's keys cannot be had (its JWKS has been unreachable for too long), so the token could
 * not be checked at all: SERVICE_UNAVAILABLE, not UNAUTHENTICATED, because the caller is not signed out.
 */
export class KeysUnavailableError extends Error {
  override name = 'KeysUnavailableError';
}
