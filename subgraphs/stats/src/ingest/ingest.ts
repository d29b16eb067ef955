import type { StatsEventV1 } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { addActivity, addItemViews, addOperations, addVisits, minutesOf } from './rollups';

/** A visit ends after this much inactivity (Plausible, Umami, Matomo and PostHog all use 30 minutes). */
export const VISIT_TIMEOUT_MS = 30 * 60_000;
/**
 * An event older than this when it is written arrived late (after a broker outage, say): it can change
 * buckets that were already answered as closed, so the result cache is dropped.
 */
export const LATE_AFTER_MS = 60_000;
/** Serialises writers: slot upserts and visit rebuilds of two batches never interleave (or deadlock). */
export const INGEST_LOCK = 0x6b6c_5354; // "klST"
/** VISIT_TIMEOUT_MS as a PostgreSQL interval. */
export const TIMEOUT = `${VISIT_TIMEOUT_MS / 1000} seconds`;

export interface IngestResult {
  /** New events written; duplicates of events already stored are not counted. */
  inserted: number;
  /** Some new event happened more than LATE_AFTER_MS before `now`. */
  late: boolean;
}

/**
 * Writes a batch of events, once each (by event id), and keeps every rollup in step in the same
 * transaction and the same statement: the activity, item and operation rollups (see rollups.ts), and the
 * visits of every visitor in the batch, merged with the new events so that late or out-of-order events
 * land in the right visit, with the visit rollup adjusted by the difference. Stored events are never read
 * again, so a long visit costs no more than a short one; nothing but one row of counts comes back.
 */
export async function ingestEvents(db: StatsDb, events: StatsEventV1[], now = new Date()): Promise<IngestResult> {
  if (!events.length) return { inserted: 0, late: false };
  const times = events.map((event) => Date.parse(event.at));
  const [, , [result]] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`,
    db.$queryRaw`SELECT events_partitions_for(${new Date(Math.min(...times))}::timestamptz, ${new Date(Math.max(...times))}::timestamptz)`,
    db.$queryRaw<{ inserted: number; earliest: Date | null }[]>`
      WITH input AS (
        SELECT id, at, CASE WHEN kind = 'operation' THEN 'operation' ELSE tag END AS tag, "visitorId", "userId",
               CASE WHEN kind = 'activity' THEN "itemId" END, "operationName", "operationType", "durationMs", outcome, "errorCode"
        FROM json_to_recordset(${JSON.stringify(events)}::json) AS t(
          kind text, id uuid, at timestamptz, tag text, "visitorId" text, "userId" text, "itemId" text, "operationName" text,
          "operationType" text, "durationMs" int, outcome text, "errorCode" text)
      ),
      inserted AS (
        INSERT INTO events (id, at, tag, visitor_id, user_id, item_id, operation_name, operation_type, duration_ms, outcome, error_code)
        SELECT * FROM input ORDER BY at
        ON CONFLICT (id, at) DO NOTHING
        RETURNING at, tag, visitor_id, user_id, item_id, operation_name, duration_ms, outcome
      ),
      minutes AS (${minutesOf(Prisma.sql`inserted`)}),
      activity AS (${addActivity(Prisma.sql`minutes`)}),
      items AS (${addItemViews(Prisma.sql`inserted`)}),
      operations AS (${addOperations(Prisma.sql`inserted`)}),
      span AS (
        SELECT visitor_id, min(at) AS lo, max(at) AS hi FROM inserted WHERE visitor_id IS NOT NULL GROUP BY visitor_id
      ),
      -- The visits the new events can join: ending less than the timeout before a visitor's first new event
      -- or starting less than it after the last. They are taken out and their merge with the events put back.
      removed AS (
        DELETE FROM visits v USING span s
        WHERE v.visitor_id = s.visitor_id AND v.ended_at >= s.lo - ${TIMEOUT}::interval AND v.started_at <= s.hi + ${TIMEOUT}::interval
        RETURNING v.visitor_id, v.started_at, v.ended_at, v.events, v.operations, v.user_id, v.signed_up
      ),
      added AS (
        INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id, signed_up) ${visitsOf(Prisma.sql`
          SELECT visitor_id, started_at, ended_at, events, operations, user_id FROM removed
          UNION ALL
          SELECT visitor_id, at, at, 1, (tag = 'operation')::int, user_id FROM inserted WHERE visitor_id IS NOT NULL`)}
        RETURNING started_at, ended_at, operations, user_id, signed_up
      ),
      moved AS (
        SELECT started_at, ended_at, operations, user_id, signed_up, 1 AS sign FROM added
        UNION ALL
        SELECT started_at, ended_at, operations, user_id, signed_up, -1 FROM removed
      ),
      visit_counts AS (${addVisits(Prisma.sql`moved`, Prisma.sql`minutes`)})
      SELECT count(*)::int AS inserted, min(at) AS earliest FROM inserted`,
  ]);
  const late = result!.earliest !== null && result!.earliest.getTime() < now.getTime() - LATE_AFTER_MS;
  return { inserted: result!.inserted, late };
}

/**
 * Visits (visitor_id, started_at, ended_at, events, operations, user_id, signed_up) from pieces of
 * activity (the same but signed_up), by gaps and islands: a piece starting more than the timeout after
 * everything before it of the same visitor has ended starts a new visit. A visit is signed up when its
 * visitor signed up from its start to the timeout after its last event.
 */
function visitsOf(pieces: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT v.*, EXISTS (SELECT 1 FROM sign_ups s WHERE s.visitor_id = v.visitor_id AND s.at >= v.started_at
                                                   AND s.at < v.ended_at + ${TIMEOUT}::interval) AS signed_up
    FROM (
    SELECT visitor_id, min(started_at) AS started_at, max(ended_at) AS ended_at, sum(events)::int AS events, sum(operations)::int AS operations,
           (array_agg(user_id ORDER BY ended_at DESC) FILTER (WHERE user_id IS NOT NULL))[1] AS user_id
    FROM (
      SELECT *, sum(starts) OVER (PARTITION BY visitor_id ORDER BY started_at, ended_at) AS visit
      FROM (
        SELECT *, CASE WHEN started_at - max(ended_at) OVER (PARTITION BY visitor_id ORDER BY started_at, ended_at
                                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) <= ${TIMEOUT}::interval
                       THEN 0 ELSE 1 END AS starts
        FROM (${pieces}) AS piece
      ) marked
    ) numbered
    GROUP BY visitor_id, visit
    ) v`;
}

/**
 * Recomputes every rollup, and the visits, from the raw events that remain (after a bulk load or a
 * restore of events from a backup); the consumer keeps them current batch by batch otherwise. Retention
 * drops whole months of raw events: the rollups before the oldest month left stay as they are (a visit
 * across that month's first midnight is then counted on both sides). Rows go in in time order, as the
 * consumer writes them: series read time ranges, and scattered rows cost a page read each.
 */
export async function rebuildRollups(db: StatsDb): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
      const [since] = await eventMonths(tx as unknown as StatsDb);
      if (!since) return;
      const from = Prisma.sql`${since}::timestamptz`;
      await clearRollups(tx as unknown as StatsDb, from, Prisma.sql`'infinity'::timestamptz`);
      await tx.$executeRaw`DELETE FROM visits WHERE started_at >= ${from}`;
      await tx.$executeRaw`INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id, signed_up) ${visitsOf(Prisma.sql`
        SELECT visitor_id, at AS started_at, at AS ended_at, 1 AS events, (tag = 'operation')::int AS operations, user_id
        FROM events WHERE visitor_id IS NOT NULL`)}
        ORDER BY 2`;
      await fillRollups(tx as unknown as StatsDb, Prisma.sql`true`, Prisma.sql`started_at >= ${from}`);
    },
    { timeout: 60 * 60_000, maxWait: 60_000 },
  );
}

/**
 * Recomputes the rollups of the whole UTC days around [from, to) from the events and visits stored there
 * (after events or visits were removed by hand, as tests do); visits themselves are left as they are.
 */
export async function refreshRollups(db: StatsDb, from: Date, to: Date): Promise<void> {
  const lo = Prisma.sql`${new Date(Math.floor(from.getTime() / 86_400_000) * 86_400_000)}::timestamptz`;
  const hi = Prisma.sql`${new Date(Math.ceil(to.getTime() / 86_400_000) * 86_400_000)}::timestamptz`;
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
    await clearRollups(tx as unknown as StatsDb, lo, hi);
    await fillRollups(
      tx as unknown as StatsDb,
      Prisma.sql`at >= ${lo} AND at < ${hi}`,
      Prisma.sql`started_at >= ${lo} AND started_at < ${hi}`,
    );
  });
}

const ROLLUPS = ['activity_rollups', 'visit_rollups', 'item_rollups', 'operation_rollups'];

async function clearRollups(tx: StatsDb, from: Prisma.Sql, to: Prisma.Sql): Promise<void> {
  for (const table of ROLLUPS) await tx.$executeRaw`DELETE FROM ${Prisma.raw(table)} WHERE slot >= ${from} AND slot < ${to}`;
}

/** Adds to every rollup the events matching `events` and the visits matching `visits`. */
async function fillRollups(tx: StatsDb, events: Prisma.Sql, visits: Prisma.Sql): Promise<void> {
  const source = Prisma.sql`(SELECT * FROM events WHERE ${events}) AS e`;
  await tx.$executeRaw`WITH minutes AS (${minutesOf(source)}) ${addActivity(Prisma.sql`minutes`)}`;
  await tx.$executeRaw`WITH minutes AS (${minutesOf(source)}) ${addVisits(
    Prisma.sql`(SELECT started_at, ended_at, operations, user_id, signed_up, 1 AS sign FROM visits WHERE ${visits}) AS v`,
    Prisma.sql`minutes`,
  )}`;
  await tx.$executeRaw`${addItemViews(source)}`;
  await tx.$executeRaw`${addOperations(source)}`;
}

/** The months (UTC) that have a partition of raw events, oldest first. */
export async function eventMonths(db: StatsDb): Promise<Date[]> {
  const rows = await db.$queryRaw<{ month: Date }[]>`
    SELECT to_date(substr(c.relname, 9), 'YYYYMM')::timestamp AT TIME ZONE 'UTC' AS month
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_p[0-9]{6}$'
    ORDER BY 1`;
  return rows.map((row) => row.month);
}

/**
 * Removes the events and visits of some visitors (by id, or by id prefix) and recomputes the rollups of
 * the days they touched: rollups hold no visitor rows, so that is the way to take a visitor out of them.
 */
export async function removeVisitors(db: StatsDb, match: { ids: string[] } | { prefix: string }): Promise<void> {
  const of =
    'ids' in match ? Prisma.sql`visitor_id = ANY(${match.ids}::text[])` : Prisma.sql`starts_with(visitor_id, ${match.prefix})`;
  const [span] = await db.$queryRaw<{ lo: Date | null; hi: Date | null }[]>`
    SELECT least((SELECT min(at) FROM events WHERE ${of}), (SELECT min(started_at) FROM visits WHERE ${of})) AS lo,
           greatest((SELECT max(at) FROM events WHERE ${of}), (SELECT max(ended_at) FROM visits WHERE ${of})) AS hi`;
  await db.$executeRaw`DELETE FROM events WHERE ${of}`;
  await db.$executeRaw`DELETE FROM visits WHERE ${of}`;
  if (span?.lo && span.hi) await refreshRollups(db, span.lo, new Date(span.hi.getTime() + 1));
}
