import { createAccessTokenVerifier, sessionRevocations, type AccessTokenVerifier, type VerifierOptions } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import type { Redis } from '@keylab/redis';

/**
 * Every process's access-token check: the signature against the users service's keys, and the session
 * not ended (sign-out, password change or reset, a reused refresh token), read from Redis on every request.
 */
export function accessTokenVerifier(
  options: Pick<VerifierOptions, 'jwks' | 'issuer' | 'audience'>,
  redis: Redis,
  logger: Logger,
): AccessTokenVerifier {
  return createAccessTokenVerifier({
    ...options,
    revocations: sessionRevocations(redis),
    onRevocationsUnavailable: (error) =>
      logger.warn(
        { err: (error as Error).message },
        'ended sessions cannot be checked (Redis): trusting token signatures until Redis answers',
      ),
  });
}
