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
