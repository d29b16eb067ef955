import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { errors, type Locale } from '@keylab/errors';
import type { Redis } from '@keylab/redis';

/** While Redis cannot count, guarded actions are refused (fail closed) for this long. */
const UNKNOWN_RETRY_MS = 30_000;

export interface RateLimits {
  /** Before sending a code: 60 s cooldown and an hourly cap per address and purpose, an hourly cap per IP. */
  codeRequest(locale: Locale, purpose: string, email: string, ip: string): Promise<void>;
  /** Before checking a password: refused while the IP or the account has too many recent failures. */
  signInAllowed(locale: Locale, email: string, ip: string): Promise<void>;
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
  async function guard(locale: Locale, step: () => Promise<unknown>, key?: Parameters<typeof errors.rateLimited>[2]) {
    try {
      await step();
    } catch (error) {
      if (error instanceof RateLimiterRes) throw errors.rateLimited(locale, error.msBeforeNext, key);
      throw errors.rateLimited(locale, UNKNOWN_RETRY_MS);
    }
  }

  async function blocked(locale: Locale, ...checks: [RateLimiterRedis, string][]) {
    for (const [rateLimiter, key] of checks) {
      await guard(locale, async () => {
        const state = await rateLimiter.get(key);
        if (state && state.remainingPoints <= 0) throw state;
      });
    }
  }

  return {
    async codeRequest(locale, purpose, email, ip) {
      await guard(locale, () => cooldown.consume(`${purpose}:${email}`), 'code.cooldown');
      await guard(locale, () => perAddress.consume(`${purpose}:${email}`));
      await guard(locale, () => perIp.consume(ip));
    },
    signInAllowed: (locale, email, ip) => blocked(locale, [failuresPerIp, ip], [failuresPerAccount, email]),
    async signInFailed(email, ip) {
      await Promise.allSettled([failuresPerIp.penalty(ip), failuresPerAccount.penalty(email)]);
    },
    async signInSucceeded(email) {
      await failuresPerAccount.delete(email).catch(() => undefined);
    },
  };
}
