import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { errors } from '@keylab/errors';
import type { Redis } from '@keylab/redis';

/** While Redis cannot count, guarded actions are refused (fail closed) for this long. */
const UNKNOWN_RETRY_MS = 30_000;

export interface RateLimits {
  /** Before sending a code: 60 s cooldown and an hourly cap per address and purpose, an hourly cap per IP. */
  codeRequest(purpose: string, email: string, ip: string): Promise<void>;
  /** Before checking a password: refused while the IP or the account has too many recent failures. */
  signInAllowed(email: string, ip: string): Promise<void>;
  signInFailed(email: string, ip: string): Promise<void>;
  signInSucceeded(email: string): Promise<void>;
}

export function createRateLimits(redis: Redis, prefix = 'users'): RateLimits {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:${keyPrefix}`, points, duration });
  const cooldown = limiter('code-cooldown', 1, 60);
  const perAddress = limiter('code-address', 5, 3600);
  const perIp = limiter('code-ip', 20, 3600);
  const failuresPerIp = limiter('signin-ip', 30, 300);
  const failuresPerAccount = limiter('signin-account', 10, 900);

  /** Runs a limiter step; a refusal becomes RATE_LIMITED, and so does an unreachable Redis. */
  async function guard(step: () => Promise<unknown>, key?: Parameters<typeof errors.rateLimited>[1]) {
    try {
      await step();
    } catch (error) {
      if (error instanceof RateLimiterRes) throw errors.rateLimited(error.msBeforeNext, key);
      throw errors.rateLimited(UNKNOWN_RETRY_MS);
    }
  }

  async function blocked(...checks: [RateLimiterRedis, string][]) {
    for (const [rateLimiter, key] of checks) {
      await guard(async () => {
        const state = await rateLimiter.get(key);
        if (state && state.remainingPoints <= 0) throw state;
      });
    }
  }

  return {
    async codeRequest(purpose, email, ip) {
      await guard(() => cooldown.consume(`${purpose}:${email}`), 'code.cooldown');
      await guard(() => perAddress.consume(`${purpose}:${email}`));
      await guard(() => perIp.consume(ip));
    },
    signInAllowed: (email, ip) => blocked([failuresPerIp, ip], [failuresPerAccount, email]),
    async signInFailed(email, ip) {
      await Promise.allSettled([failuresPerIp.penalty(ip), failuresPerAccount.penalty(email)]);
    },
    async signInSucceeded(email) {
      await failuresPerAccount.delete(email).catch(() => undefined);
    },
  };
}
