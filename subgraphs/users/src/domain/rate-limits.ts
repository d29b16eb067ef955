import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { errors } from '@keylab/errors';
import type { Redis } from '@keylab/redis';

/** While Redis cannot count, guarded actions are refused (fail closed) for this long. */
const UNKNOWN_RETRY_MS = 30_000;

/** A try taken from its limits before a secret is checked; a right secret gives it back. */
export interface Attempt {
  succeeded(): Promise<void>;
}

export interface RateLimits {
  /** Before sending a code: 60 s cooldown and an hourly cap per address and purpose, an hourly cap per IP. */
  codeRequest(purpose: string, email: string, ip: string): Promise<void>;
  /**
   * Before checking a password: takes a try per IP and per account, each in one atomic Redis step, so
   * concurrent guesses cannot overrun the limit; RATE_LIMITED once either is used up.
   */
  passwordAttempt(email: string, ip: string): Promise<Attempt>;
  /** Before checking a one-time code: the same, per IP and per purpose and address (or account). */
  codeAttempt(purpose: string, subject: string, ip: string): Promise<Attempt>;
}

export function createRateLimits(redis: Redis, prefix = 'users'): RateLimits {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:${keyPrefix}`, points, duration });
  const cooldown = limiter('code-cooldown', 1, 60);
  const perAddress = limiter('code-address', 5, 3600);
  const perIp = limiter('code-ip', 20, 3600);
  const passwordsPerIp = limiter('signin-ip', 30, 300);
  const passwordsPerAccount = limiter('signin-account', 10, 900);
  const codeTriesPerIp = limiter('code-try-ip', 30, 900);
  const codeTriesPerAddress = limiter('code-try-address', 10, 900);

  /** Runs a limiter step; a refusal becomes RATE_LIMITED, and so does an unreachable Redis. */
  async function guard(step: () => Promise<unknown>, key?: Parameters<typeof errors.rateLimited>[1]) {
    try {
      await step();
    } catch (error) {
      if (error instanceof RateLimiterRes) throw errors.rateLimited(error.msBeforeNext, key);
      throw errors.rateLimited(UNKNOWN_RETRY_MS);
    }
  }

  async function attempt(...limits: [RateLimiterRedis, string][]): Promise<Attempt> {
    for (const [rateLimiter, key] of limits) await guard(() => rateLimiter.consume(key));
    return {
      async succeeded() {
        await Promise.allSettled(limits.map(([rateLimiter, key]) => rateLimiter.reward(key)));
      },
    };
  }

  return {
    async codeRequest(purpose, email, ip) {
      await guard(() => cooldown.consume(`${purpose}:${email}`), 'code.cooldown');
      await guard(() => perAddress.consume(`${purpose}:${email}`));
      await guard(() => perIp.consume(ip));
    },
    passwordAttempt: (email, ip) => attempt([passwordsPerIp, ip], [passwordsPerAccount, email]),
    codeAttempt: (purpose, subject, ip) => attempt([codeTriesPerIp, ip], [codeTriesPerAddress, `${purpose}:${subject}`]),
  };
}
