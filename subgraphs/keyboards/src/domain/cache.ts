import type { Logger } from '@keylab/logger';
import { optional, type Redis } from '@keylab/redis';

const TTL_SECONDS = 300;

/**
 * Read-through cache of list pages and items in Redis. Each kind has a generation number; every change bumps it,
 * so no list is ever read stale after a mutation (old entries simply expire). Redis being away only
 * costs speed: reads go to PostgreSQL.
 */
export function listCache(redis: Redis, logger: Logger, prefix = 'keyboards') {
  const generationKey = (kind: string) => `${prefix}:gen:${kind}`;
  const quietly = optional(logger, 'list cache unavailable; reading from PostgreSQL');
  return {
    async read<T>(kind: string, args: unknown, load: () => Promise<T>): Promise<T> {
      const generation = (await quietly(() => redis.get(generationKey(kind)))) ?? '0';
      const key = `${prefix}:list:${kind}:${generation}:${JSON.stringify(args)}`;
      const hit = await quietly(() => redis.get(key));
      if (hit !== undefined && hit !== null) return JSON.parse(hit) as T;
      const value = await load();
      await quietly(() => redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS));
      return value;
    },
    /** Call after every change of `kind`. */
    async invalidate(kind: string): Promise<void> {
      await quietly(() => redis.incr(generationKey(kind)));
    },
  };
}

export type ListCache = ReturnType<typeof listCache>;
