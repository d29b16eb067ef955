/**
 * Statistics, in one run:
 *  1. the cost of recording one event on the request path (the publisher's in-memory push);
 *  2. ingestion end to end (events published to RabbitMQ -> stats consumer -> rows a query sees) against
 *     a plain batched INSERT of the same rows into a table of the same shape;
 *  3. a 30-day daily activity and attendance series over 1 million and over 10 million events (rollups),
 *     beside the same daily counts straight from the raw events.
 *
 *   npm run bench:stats                              (from the repository root)
 *   BENCH_INGEST_EVENTS=500000 BENCH_SERIES_EVENTS=1000000,10000000 npm run bench:stats
 *
 * Uses its own database, keylab_stats_bench, dropped and re-created at the start. A benchmark, not a test.
 */
import { parseConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import {
  ACTIVITY_TAGS,
  createBroker,
  createStatsEventPublisher,
  newEventId,
  type Broker,
  type StatsEventV1,
} from '@keylab/messaging';
import { waitFor } from '@keylab/testing';
import {
  activityRows,
  attendanceRows,
  createStatsDb,
  rebuildRollups,
  seriesPeriod,
  startStatsService,
  statsSettings,
  type StatsDb,
} from '@keylab/stats-subgraph';
import { applyMigrations } from '../scripts/lib/prisma';
import { dropDatabase, ensureDatabase } from '../scripts/lib/postgres';
import { DATA_SERVICES, databaseUrl } from '../scripts/lib/services';
import { machine, positiveInt, table } from './src/common';
import { closeAtEnd, runBenchmark } from './src/run';

const INGEST_EVENTS = positiveInt('BENCH_INGEST_EVENTS', 200_000);
const SERIES_EVENTS = (process.env.BENCH_SERIES_EVENTS ?? '1000000,10000000').split(',').map(Number);
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const logger = createLogger('bench', 'silent');
const run = crypto.randomUUID().slice(0, 8);
const names = { exchange: `bench.stats.${run}`, queue: `bench.stats.${run}.ingest` };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const publisherOn = (broker: Broker, maxBuffered: number) =>
  createStatsEventPublisher({ broker, logger, exchange: names.exchange, routingKey: 'bench', maxBuffered });

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function prepareDatabase(): Promise<string> {
  const service = DATA_SERVICES.find((s) => s.name === 'stats')!;
  const url = databaseUrl(service, '_bench');
  await dropDatabase(url);
  await ensureDatabase(url);
  await applyMigrations(service, url);
  return url;
}

/** Events of the last hour, in time order: half GraphQL operations, half catalogue activity, 2,000 visitors. */
function recentEvents(count: number): StatsEventV1[] {
  const start = Date.now() - 3_600_000;
  return Array.from({ length: count }, (_, i): StatsEventV1 => {
    const common = {
      id: newEventId(),
      at: new Date(start + Math.floor((i * 3_600_000) / count)).toISOString(),
      visitorId: `visitor-${i % 2_000}`,
      userId: i % 8 === 0 ? `user-${i % 300}` : null,
    };
    return i % 2 === 0
      ? { ...common, kind: 'operation', operationName: 'Catalogue', operationType: 'query', durationMs: 7, outcome: 'success' }
      : { ...common, kind: 'activity', tag: ACTIVITY_TAGS[i % ACTIVITY_TAGS.length]!, itemId: `item-${i % 500}` };
  });
}

async function publishCost(): Promise<number> {
  const broker = createBroker({ url: AMQP_URL, name: 'bench-publisher', logger });
  // A broker that is never reached: every event stays in memory, which isolates the request-path cost.
  const publisher = publisherOn(broker, 1_000_000);
  const events = recentEvents(100_000);
  const microseconds = ((await timed(async () => events.forEach((event) => publisher.publish(event)))) * 1000) / events.length;
  await publisher.close(10_000);
  await broker.close();
  return microseconds;
}

async function ingestEndToEnd(url: string, db: StatsDb): Promise<number> {
  const stats = await startStatsService(
    parseConfig(statsSettings, {
      DATABASE_URL: url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      STATS_EXCHANGE: names.exchange,
      STATS_QUEUE: names.queue,
      CACHE_PREFIX: `bench-${run}`,
      ...(process.env.INGEST_BATCH_SIZE ? { INGEST_BATCH_SIZE: process.env.INGEST_BATCH_SIZE } : {}),
    }),
    logger,
  );
  const publisher = publisherOn(stats.broker, INGEST_EVENTS);
  await stats.broker.channel.waitForConnect();
  const events = recentEvents(INGEST_EVENTS);
  const elapsed = await timed(async () => {
    events.forEach((event) => publisher.publish(event));
    const ingested = async () => (await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM events`)[0]!.count;
    await waitFor(async () => (await ingested()) >= INGEST_EVENTS, 3_600_000);
  });
  await publisher.close();
  const { channel } = stats.broker;
  for (const queue of [names.queue, `${names.queue}.dead`]) await channel.deleteQueue(queue).catch(() => undefined);
  await channel.deleteExchange(names.exchange).catch(() => undefined);
  await stats.close();
  return elapsed;
}

/** The same rows, 1,000 per INSERT, into a copy of the events table (same indexes), nothing else. */
async function plainInsert(db: StatsDb): Promise<number> {
  await db.$executeRaw`CREATE TABLE plain_events (LIKE events INCLUDING ALL)`;
  const events = recentEvents(INGEST_EVENTS);
  const elapsed = await timed(async () => {
    for (let i = 0; i < events.length; i += 1_000) {
      const batch = events.slice(i, i + 1_000);
      const column = <T>(pick: (event: StatsEventV1) => T) => batch.map(pick);
      const op = <T>(pick: (event: Extract<StatsEventV1, { kind: 'operation' }>) => T) =>
        column((e) => (e.kind === 'operation' ? pick(e) : null));
      await db.$executeRaw`
      INSERT INTO plain_events
      SELECT * FROM unnest(
        ${column((e) => e.id)}::uuid[], ${column((e) => e.at)}::timestamptz[],
        ${column((e) => (e.kind === 'operation' ? 'operation' : e.tag))}::text[],
        ${column((e) => e.visitorId)}::text[], ${column((e) => e.userId)}::text[],
        ${column((e) => (e.kind === 'activity' ? (e.itemId ?? null) : null))}::text[],
        ${op((e) => e.operationName)}::text[], ${op((e) => e.operationType)}::text[], ${op((e) => e.durationMs)}::int[],
        ${op((e) => e.outcome)}::text[], ${op(() => null)}::text[])`;
    }
  });
  await db.$executeRaw`DROP TABLE plain_events`;
  return elapsed;
}

const DAY_MS = 86_400_000;

/**
 * `count` events over the 30 days before today (UTC), in visits of 20 events 30 s apart (half of them
 * operations), 3 visits per visitor, loaded in time order; then both rollups rebuilt from them.
 */
async function loadEvents(db: StatsDb, count: number, from: Date): Promise<void> {
  await db.$executeRaw`TRUNCATE events, activity_rollups, visit_rollups, item_rollups, operation_rollups, visits`;
  await db.$queryRaw`SELECT events_partitions_for(${from}::timestamptz, ${new Date(from.getTime() + 30 * DAY_MS)}::timestamptz)`;
  const visits = Math.ceil(count / 20);
  const visitors = Math.max(1, Math.floor(visits / 3));
  await db.$executeRaw`
    INSERT INTO events (id, at, tag, visitor_id, user_id, item_id, operation_name, operation_type, duration_ms, outcome)
    SELECT lpad(to_hex(row_number() OVER (ORDER BY at)), 32, '0')::uuid, at, tag, visitor_id, user_id,
           CASE WHEN tag LIKE 'see_%' THEN 'item-' || (v * 31 + k) % 500 END,
           CASE WHEN tag = 'operation' THEN 'Catalogue' END, CASE WHEN tag = 'operation' THEN 'query' END,
           CASE WHEN tag = 'operation' THEN 5 + k END, CASE WHEN tag = 'operation' THEN 'success' END
    FROM (
      SELECT v, k,
             ${from}::timestamptz + ((v::bigint * 7919) % (30 * 86400 - 600)) * interval '1 second' + k * interval '30 seconds' AS at,
             CASE WHEN k % 2 = 0 THEN 'operation' ELSE (${ACTIVITY_TAGS}::text[])[1 + (v + k) % ${ACTIVITY_TAGS.length}] END AS tag,
             'visitor-' || (v % ${visitors}) AS visitor_id,
             CASE WHEN v % 4 = 0 THEN 'user-' || (v % 1000) END AS user_id
      FROM generate_series(0, ${visits - 1}) AS v, generate_series(0, 19) AS k
    ) generated
    ORDER BY at`;
  await rebuildRollups(db);
  await db.$executeRaw`ANALYZE events, activity_rollups, visit_rollups, visits`;
}

async function median(work: () => Promise<unknown>, runs = 5): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) times.push(await timed(work));
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

interface SeriesRow {
  events: number;
  loadMs: number;
  slots: number;
  visits: number;
  activityMs: number;
  attendanceMs: number;
  rawMs: number;
  /** Largest relative error of a daily bucket's unique visitors from the sketches against the raw events, in %. */
  activityErrorPct: number;
  attendanceErrorPct: number;
}

/** The largest relative difference, in %, between estimates and exact counts of the same days. */
function maxErrorPct(estimates: { start: Date; visitors: number }[], exact: { day: Date; visitors: number }[]): number {
  const byDay = new Map(exact.map((row) => [row.day.getTime(), Number(row.visitors)]));
  return Math.max(
    0,
    ...estimates.map((row) => {
      const truth = byDay.get(row.start.getTime()) ?? 0;
      return truth ? (Math.abs(row.visitors - truth) * 100) / truth : row.visitors ? 100 : 0;
    }),
  );
}

async function seriesAt(db: StatsDb, count: number): Promise<SeriesRow> {
  const to = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - 30 * DAY_MS);
  const loadMs = await timed(() => loadEvents(db, count, from));
  const period = await seriesPeriod(db, { from, to, interval: 'DAY', timeZone: 'UTC' });
  const [sizes] = await db.$queryRaw<{ events: number; slots: number; visits: number }[]>`
    SELECT (SELECT count(*) FROM events)::int AS events,
           (SELECT (SELECT count(*) FROM activity_rollups) + (SELECT count(*) FROM visit_rollups))::int AS slots,
           (SELECT count(*) FROM visits)::int AS visits`;
  const tags = [...ACTIVITY_TAGS];
  const exact = (all: boolean) => db.$queryRaw<{ day: Date; visitors: number }[]>`
    SELECT date_trunc('day', at, 'UTC') AS day, count(DISTINCT visitor_id)::int AS visitors FROM events
    WHERE (${all} OR tag = ANY(${tags}::text[])) AND at >= ${from}::timestamptz AND at < ${to}::timestamptz GROUP BY 1`;
  const activityErrorPct = maxErrorPct(await activityRows(db, period.buckets, tags), await exact(false));
  const attendanceErrorPct = maxErrorPct(await attendanceRows(db, period.buckets), await exact(true));
  return {
    activityErrorPct,
    attendanceErrorPct,
    events: sizes!.events,
    loadMs,
    slots: sizes!.slots,
    visits: sizes!.visits,
    activityMs: await median(() => activityRows(db, period.buckets, tags)),
    attendanceMs: await median(() => attendanceRows(db, period.buckets)),
    rawMs: await median(
      () => db.$queryRaw`
        SELECT date_trunc('day', at, 'UTC') AS day, count(*), count(DISTINCT visitor_id) FROM events
        WHERE tag = ANY(${tags}::text[]) AND at >= ${from}::timestamptz AND at < ${to}::timestamptz GROUP BY 1`,
    ),
  };
}

runBenchmark(async () => {
  const url = await prepareDatabase();
  const db = createStatsDb(url);
  closeAtEnd('the database client', { close: () => db.$disconnect() });
  console.log(`statistics benchmark — ${machine()}`);
  console.log(`database keylab_stats_bench; ingestion: ${INGEST_EVENTS.toLocaleString('en')} events\n`);

  const micro = await publishCost();
  console.log(`recording one event on the request path (publisher push, 100,000 calls): ${micro.toFixed(2)} µs per event\n`);

  const endToEnd = await ingestEndToEnd(url, db);
  const plain = await plainInsert(db);
  const timing = (ms: number) => [seconds(ms), Math.round((INGEST_EVENTS * 1000) / ms).toLocaleString('en')];
  console.log(
    table(
      ['ingestion', 'time', 'events/s'],
      [
        ['end to end: publish -> RabbitMQ -> consumer -> events + rollups + visits', ...timing(endToEnd)],
        ['plain batched INSERT (1,000 rows per statement, same indexes)', ...timing(plain)],
      ],
    ),
  );
  console.log(`end to end / plain INSERT: ${(plain / endToEnd).toFixed(2)}x the rate\n`);

  const rows: SeriesRow[] = [];
  for (const count of SERIES_EVENTS) rows.push(await seriesAt(db, count));
  console.log(
    table(
      [
        'events',
        'load + rollups',
        'rollup rows',
        'visits',
        '30-day activity series',
        '30-day attendance series',
        'same from raw events',
      ],
      rows.map((row) => [
        row.events.toLocaleString('en'),
        seconds(row.loadMs),
        ...[row.slots, row.visits].map((count) => count.toLocaleString('en')),
        ...[row.activityMs, row.attendanceMs, row.rawMs].map((ms) => `${ms.toFixed(1)} ms`),
      ]),
    ),
  );
  for (const row of rows) {
    console.log(
      `unique visitors per daily bucket, sketches against the exact count from raw events at ${row.events.toLocaleString('en')} events: ` +
        `max error ${row.activityErrorPct.toFixed(2)}% (activity), ${row.attendanceErrorPct.toFixed(2)}% (attendance)`,
    );
  }
  let scaling = NaN;
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.at(-1)!];
    const growth = (pick: (row: SeriesRow) => number) => (pick(large) / pick(small)).toFixed(1);
    console.log(
      `\n${(large.events / small.events).toFixed(0)}x the events: activity series ${growth((r) => r.activityMs)}x the time, ` +
        `attendance series ${growth((r) => r.attendanceMs)}x, raw events ${growth((r) => r.rawMs)}x`,
    );
    // The worse of the two series; with sizes other than 1M and 10M, the ratio between the two sizes given.
    scaling = Math.max(large.activityMs / small.activityMs, large.attendanceMs / small.attendanceMs);
  }
  console.log('(medians of 5 runs after one warm-up; results not cached; the database is left for inspection)');
  console.log(`series scaling: ${scaling.toFixed(2)}x time for 10x events`);
  console.log(`ingestion: ${(plain / endToEnd).toFixed(2)}x of plain INSERT`);
});
