import type { Redis } from '@keylab/redis';

/**
 * Sessions that ended (sign-out, a password change or reset, a reused refresh token), kept in Redis for
 * as long as an access token of theirs could still be unexpired, so every process refuses those tokens
 * from the moment the session ends rather than when they expire.
 */
export interface SessionRevocations {
  revoke(sessionIds: readonly string[]): Promise<void>;
  /** Whether a session has ended; throws when Redis cannot answer (the caller decides what that means). */
  isRevoked(sessionId: string): Promise<boolean>;
}

export interface RevocationOptions {
  /** Keys live under `<prefix>:revoked-session:`; every process of one installation uses the same. */
  prefix?: string;
  /** How long an access token can live: a revocation is kept this long (the users service says; readers need not). */
  tokenTtlSeconds?: number;
}

/** The longest access-token lifetime the users service allows (ACCESS_TOKEN_TTL_SECONDS). */
const LONGEST_TOKEN_TTL_SECONDS = 3_600;

/** Clocks of the processes differ a little: a revocation outlives the token by this much. */
const CLOCK_SKEW_SECONDS = 60;

export function sessionRevocations(
  redis: Redis,
  { prefix = 'keylab', tokenTtlSeconds = LONGEST_TOKEN_TTL_SECONDS }: RevocationOptions = {},
): SessionRevocations {
  const key = (sessionId: string) => `${prefix}:revoked-session:${sessionId}`;
  return {
    async revoke(sessionIds) {
      if (!sessionIds.length) return;
      const multi = redis.multi();
      for (const id of sessionIds) multi.set(key(id), '1', 'EX', tokenTtlSeconds + CLOCK_SKEW_SECONDS);
      await multi.exec();
    },
    async isRevoked(sessionId) {
      return (await redis.exists(key(sessionId))) === 1;
    },
  };
}
