import { describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import { checkRedis, createRedis } from '@keylab/redis';

const logger = createLogger('redis-test', 'silent');

describe('redis', () => {
  it('connects and answers readiness', async () => {
    const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
    try {
      await new Promise((resolve) => redis.once('ready', resolve));
      await expect(checkRedis(redis)).resolves.toBeUndefined();
      const key = `test:${crypto.randomUUID()}`;
      await redis.set(key, 'value', 'EX', 10);
      expect(await redis.get(key)).toBe('value');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });

  it('fails commands fast instead of queueing them while Redis is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1', logger);
    try {
      const started = Date.now();
      await expect(redis.get('anything')).rejects.toThrow();
      await expect(checkRedis(redis)).rejects.toThrow(/redis is/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      redis.disconnect();
    }
  });
});
