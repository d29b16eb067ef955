import { Redis } from 'ioredis';
import type { Logger } from '@keylab/logger';

export type { Redis };

/**
 * A Redis client that reconnects forever with capped backoff and fails commands fast while Redis is
 * down (callers treat the cache as optional), logging each change of state once.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) logger.info('redis connection restored');
    healthy = true;
  });
  redis.on('error', (error) => {
    if (healthy) logger.warn({ err: error.message }, 'redis unavailable; retrying');
    healthy = false;
  });
  return redis;
}

export async function checkRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
  await redis.ping();
}

/**
 * For a cache that is optional: runs a Redis command and gives undefined instead of an error, warning
 * once (with `warning`) until the process restarts.
 */
export function optional(logger: Logger, warning: string) {
  let warned = false;
  return async <T>(command: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await command();
    } catch (error) {
      if (!warned) logger.warn({ err: (error as Error).message }, warning);
      warned = true;
      return undefined;
    }
  };
}
