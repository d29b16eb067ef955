import { createHash } from 'node:crypto';
import type { Logger } from '@keylab/logger';
import { optional, type Redis } from '@keylab/redis';
import type { StatsDb } from '../db/client';
import { LATE_AFTER_MS, VISIT_TIMEOUT_MS } from '../ingest/ingest';

const TTL_SECONDS = 24 * 3_600;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Results of closed periods in Redis. Closed results never change, except when events arrive late
 * (after an outage): then the consumer calls invalidate(), which moves every key to a new generation.
 * Redis being away only costs speed.
 */
export function resultCache(redis: Redis, logger: Logger, prefix: string) {
  const generationKey = `${prefix}:gen`;
  const quietly = optional(logger, 'statistics cache unavailable; computing every answer');
  return {
    async read<T>(parts: unknown, compute: () => Promise<T>): Promise<T> {
      const generation = (await quietly(() => redis.get(generationKey))) ?? '0';
      const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
      const key = `${prefix}:result:${generation}:${digest}`;
      const hit = await quietly(() => redis.get(key));
      if (hit)
        return JSON.parse(hit, (_, value: unknown) =>
          typeof value === 'string' && ISO_DATE.test(value) ? new Date(value) : value,
        ) as T;
      const value = await compute();
      await quietly(() => redis.set(key, JSON.stringify(value), 'EX', TTL_SECONDS));
      return value;
    },
    async invalidate(): Promise<void> {
      await quietly(() => redis.incr(generationKey));
    },
  };
}

export type ResultCache = ReturnType<typeof resultCache>;

export interface Watermarks {
  /** Activity before this is final: later events for it would count as late. */
  activity: Date;
  /** Visits that started before this have all ended. */
  attendance: Date;
}

export async function watermarks(db: StatsDb, now = new Date()): Promise<Watermarks> {
  const activity = new Date(now.getTime() - LATE_AFTER_MS);
  const [open] = await db.$queryRaw<{ since: Date | null }[]>`
    SELECT min(started_at) AS since FROM visits
    WHERE ended_at > ${new Date(now.getTime() - VISIT_TIMEOUT_MS - LATE_AFTER_MS)}::timestamptz`;
  const since = open?.since;
  return { activity, attendance: since && since < activity ? since : activity };
}
