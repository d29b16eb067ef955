import type { Logger } from '@keylab/logger';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { INGEST_LOCK, eventMonths } from './ingest';

const DAY_MS = 86_400_000;
const EVERY_MS = 3_600_000;

const nextMonth = (month: Date) => new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
const partitionOf = (month: Date) => `events_p${month.toISOString().slice(0, 7).replace('-', '')}`;

/**
 * Drops the months of raw events that ended more than `days` before `now` (whole partitions: no row by
 * row deletes, no bloat), and the visits that started in them, which no new event can join any more. The
 * rollups stay, so every series and overview of those months is unchanged. Returns the months dropped.
 */
export async function dropExpiredEvents(db: StatsDb, days: number, now = new Date()): Promise<Date[]> {
  const horizon = now.getTime() - days * DAY_MS;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
    const expired = (await eventMonths(tx as unknown as StatsDb)).filter((month) => nextMonth(month).getTime() <= horizon);
    for (const month of expired) await tx.$executeRaw`DROP TABLE ${Prisma.raw(partitionOf(month))}`;
    if (expired.length) await tx.$executeRaw`DELETE FROM visits WHERE started_at < ${nextMonth(expired.at(-1)!)}::timestamptz`;
    return expired;
  });
}

/** Runs dropExpiredEvents now and every hour (any replica may: they take turns on the consumer's lock). */
export function retentionJob(db: StatsDb, days: number, logger: Logger): { close(): void } {
  const run = async () => {
    try {
      const dropped = await dropExpiredEvents(db, days);
      if (dropped.length) logger.info({ months: dropped.map(partitionOf), days }, 'raw statistics events past retention dropped');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'statistics retention did not run; it tries again within the hour');
    }
  };
  void run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
