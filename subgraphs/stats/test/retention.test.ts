import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import type { StatsEventV1 } from '@keylab/messaging';
import {
  createStatsDb,
  ingestEvents,
  rebuildRollups,
  startStatsService,
  statsSettings,
  type StatsDb,
} from '@keylab/stats-subgraph';
import { activity, operation } from '@keylab/test-support/stats';
import { waitFor } from '@keylab/testing';
import { dropDatabase, ensureDatabase } from '../../../scripts/lib/postgres';
import { applyMigrations } from '../../../scripts/lib/prisma';
import { DATA_SERVICES, databaseUrl } from '../../../scripts/lib/services';
import { resultCache, type ResultCache } from '../src/domain/cache';
import { activitySeries, attendanceSeries, overview } from '../src/domain/statistics';
import { eventMonths } from '../src/ingest/ingest';
import { dropExpiredEvents } from '../src/ingest/retention';
import { recordSignUp } from '../src/ingest/sign-ups';

// Retention drops whole partitions of the events table: this file works in a database of its own.
const run = crypto.randomUUID().slice(0, 8);
const service = DATA_SERVICES.find((s) => s.name === 'stats')!;
const url = databaseUrl(service, `_retention_${run}`);
const logger = createLogger('test', 'silent');
const visitor = (i: number) => ({ visitor: `k${i}-${run}` });

/** Three months of 2024: 12 visitors, catalogue views of a few items, operations with errors, every 5 hours or so. */
const script: StatsEventV1[] = [];
for (let k = 0; k < 400; k++) {
  const at = new Date(Date.parse('2024-01-03T00:00:00Z') + k * 5.3 * 3_600_000).toISOString();
  const who = visitor(k % 12);
  script.push(
    k % 3 === 0
      ? operation(at, who, { operationName: k % 2 ? 'Catalogue' : 'Keyboard', outcome: k % 7 ? 'success' : 'error' })
      : activity(at, k % 3 === 1 ? 'see_keyboard' : 'see_box', who, `item-${k % 5}`),
  );
  // A second event a minute later: visits of two events, not only bounces.
  if (k % 4 === 0) script.push(operation(new Date(Date.parse(at) + 60_000).toISOString(), who));
}
const PERIOD = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };

/** The stats service on this file's database, with queues and a cache of its own. */
const startStats = (extra: Record<string, string> = {}) =>
  startStatsService(
    parseConfig(statsSettings, {
      DATABASE_URL: url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      STATS_EXCHANGE: `test.retention.${run}`,
      STATS_QUEUE: `test.retention.${run}.ingest`,
      SIGN_UPS_QUEUE: `test.retention.${run}.sign-ups`,
      CACHE_PREFIX: `retention-${run}`,
      ...extra,
    }),
    logger,
  );

async function figures(db: StatsDb, cache: ResultCache) {
  // Cached answers would hide a change: every reading computes afresh.
  await cache.invalidate();
  const deps = { db, cache };
  const daily = await activitySeries(deps, { ...PERIOD, interval: 'DAY', timeZone: 'Asia/Kolkata' });
  const attendance = await attendanceSeries(deps, { ...PERIOD, interval: 'DAY', timeZone: 'UTC' });
  const minutes = await attendanceSeries(deps, {
    from: new Date('2024-01-03T00:00:00Z'),
    to: new Date('2024-01-03T12:00:00Z'),
    interval: 'MINUTE',
    timeZone: 'UTC',
  });
  return {
    activity: daily.points,
    byActivity: await daily.byActivity(),
    activityTotals: await daily.totals(),
    attendance: attendance.points,
    attendanceTotals: await attendance.totals(),
    minutes: minutes.points.filter((point) => point.visits || point.visitors),
    overview: await overview(deps, { ...PERIOD, top: 5 }),
  };
}

describe('retention of raw events', () => {
  let db: StatsDb;
  let cache: ResultCache;
  let stats: Awaited<ReturnType<typeof startStatsService>> | undefined;
  let before: Awaited<ReturnType<typeof figures>>;

  beforeAll(async () => {
    await ensureDatabase(url);
    await applyMigrations(service, url);
    db = createStatsDb(url);
    for (let i = 0; i < script.length; i += 50) await ingestEvents(db, script.slice(i, i + 50));
    // One of the visitors signs up during a visit in February.
    const february = script.find((event) => event.at.startsWith('2024-02-1') && event.kind === 'operation')!;
    await recordSignUp(db, {
      userId: crypto.randomUUID(),
      at: new Date(Date.parse(february.at) + 1_000),
      visitorId: february.visitorId,
    });
  });

  afterAll(async () => {
    await stats?.close();
    await db?.$disconnect();
    await dropDatabase(url);
  });

  it('keeps raw events in one partition per month', async () => {
    expect(await eventMonths(db)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01'].map((day) => new Date(`${day}T00:00:00Z`)));
  });

  it('drops the months past retention while every series and the overview stay as they were', async () => {
    stats = await startStats();
    cache = resultCache(stats.redis, logger, `retention-${run}`);
    before = await figures(db, cache);
    expect(before.overview.signUpShare).toBeGreaterThan(0);
    expect(before.overview.topKeyboards.length).toBeGreaterThan(0);
    expect(before.minutes.length).toBeGreaterThan(0);

    // 30 days before 2024-04-15: January and February ended before, March did not.
    const dropped = await dropExpiredEvents(db, 30, new Date('2024-04-15T00:00:00Z'));
    expect(dropped).toEqual([new Date('2024-01-01T00:00:00Z'), new Date('2024-02-01T00:00:00Z')]);
    expect(await eventMonths(db)).toEqual([new Date('2024-03-01T00:00:00Z')]);
    const [left] = await db.$queryRaw<
      { count: number; first: Date }[]
    >`SELECT count(*)::int AS count, min(at) AS first FROM events`;
    expect(left!.count).toBeLessThan(script.length / 2);
    expect(left!.first.toISOString() >= '2024-03-01').toBe(true);
    expect(await figures(db, cache)).toEqual(before);
  });

  it('rebuilds the rollups from the raw events that remain, and keeps those of the months dropped', async () => {
    await rebuildRollups(db);
    expect(await figures(db, cache)).toEqual(before);
  });

  it('runs in the service when EVENTS_RETENTION_DAYS is set', async () => {
    await stats!.close();
    stats = await startStats({ EVENTS_RETENTION_DAYS: '400' });
    // Today is years after March 2024: its month goes too.
    await waitFor(async () => (await eventMonths(db)).length === 0, 20_000);
    expect(await figures(db, cache)).toEqual(before);
    const { channel } = stats.broker;
    for (const queue of ['ingest', 'ingest.dead', 'sign-ups', 'sign-ups.dead']) {
      await channel.deleteQueue(`test.retention.${run}.${queue}`).catch(() => undefined);
    }
    await channel.deleteExchange(`test.retention.${run}`).catch(() => undefined);
  });
});
