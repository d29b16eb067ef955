import type { StatsEventV1 } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { SKETCH, WIDTH_ROWS, sketchOf, slotOf } from './rollups';

/** A visit ends after this much inactivity (Plausible, Umami, Matomo and PostHog all use 30 minutes). */
export const VISIT_TIMEOUT_MS = 30 * 60_000;
/**
 * An event older than this when it is written arrived late (after a broker outage, say): it can change
 * buckets that were already answered as closed, so the result cache is dropped.
 */
export const LATE_AFTER_MS = 60_000;
/** Serialises writers: slot upserts and visit rebuilds of two batches never interleave (or deadlock). */
const INGEST_LOCK = 0x6b6c_5354; // "klST"
const TIMEOUT = `${VISIT_TIMEOUT_MS / 1000} seconds`;

export interface IngestResult {
  /** New events written; duplicates of events already stored are not counted. */
  inserted: number;
  /** Some new event happened more than LATE_AFTER_MS before `now`. */
  late: boolean;
}

/** A stretch of one visitor's activity: a stored visit, or a single new event (start = end). */
interface Piece {
  visitor_id: string;
  started_at: Date;
  ended_at: Date;
  events: number;
  operations: number;
  user_id: string | null;
}

/**
 * Writes a batch of events, once each (by event id), and keeps the two rollups in step in the same
 * transaction: the activity rollups (see rollups.ts), and the visits of every visitor in the batch, merged with
 * the new events so that late or out-of-order events land in the right visit.
 */
export async function ingestEvents(db: StatsDb, events: StatsEventV1[], now = new Date()): Promise<IngestResult> {
  if (!events.length) return { inserted: 0, late: false };
  const column = <T>(pick: (event: StatsEventV1) => T) => events.map(pick);
  const operation = <T>(pick: (event: Extract<StatsEventV1, { kind: 'operation' }>) => T) =>
    column((event) => (event.kind === 'operation' ? pick(event) : null));
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
    const inserted = await tx.$queryRaw<Piece[]>`
      WITH input AS (
        SELECT * FROM unnest(
          ${column((e) => e.id)}::uuid[], ${column((e) => e.at)}::timestamptz[],
          ${column((e) => (e.kind === 'operation' ? 'operation' : e.tag))}::text[],
          ${column((e) => e.visitorId)}::text[], ${column((e) => e.userId)}::text[],
          ${column((e) => (e.kind === 'activity' ? (e.itemId ?? null) : null))}::text[],
          ${operation((e) => e.operationName)}::text[], ${operation((e) => e.operationType)}::text[],
          ${operation((e) => e.durationMs)}::int[], ${operation((e) => e.outcome)}::text[],
          ${operation((e) => e.errorCode ?? null)}::text[]
        ) AS t(id, at, tag, visitor_id, user_id, item_id, operation_name, operation_type, duration_ms, outcome, error_code)
      ),
      inserted AS (
        INSERT INTO events (id, at, tag, visitor_id, user_id, item_id, operation_name, operation_type, duration_ms, outcome, error_code)
        SELECT * FROM input ORDER BY at
        ON CONFLICT (id) DO NOTHING
        RETURNING at, tag, visitor_id, user_id
      ),
      slots AS (
        INSERT INTO activity_rollups (width, slot, tag, events, visitors)
        SELECT w.width, ${slotOf(Prisma.sql`at`)}, tag, count(*)::int, ${sketchOf(Prisma.sql`visitor_id`)}
        FROM inserted CROSS JOIN ${WIDTH_ROWS} GROUP BY 1, 2, 3
        ON CONFLICT (width, slot, tag) DO UPDATE
          SET events = activity_rollups.events + excluded.events, visitors = hll_union(activity_rollups.visitors, excluded.visitors)
      ),
      seen AS (
        INSERT INTO visit_rollups (width, slot, visits, bounces, duration_ms, visitors)
        SELECT w.width, ${slotOf(Prisma.sql`at`)}, 0, 0, 0, ${sketchOf(Prisma.sql`visitor_id`)}
        FROM inserted CROSS JOIN ${WIDTH_ROWS} WHERE visitor_id IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (width, slot) DO UPDATE SET visitors = hll_union(visit_rollups.visitors, excluded.visitors)
      )
      SELECT visitor_id, at AS started_at, at AS ended_at, 1 AS events, (tag = 'operation')::int AS operations, user_id
      FROM inserted`;

    const late = inserted.some((event) => event.started_at.getTime() < now.getTime() - LATE_AFTER_MS);
    const visited = inserted.filter((event) => event.visitor_id !== null);
    if (visited.length) await mergeVisits(tx as unknown as StatsDb, visited);
    return { inserted: inserted.length, late };
  });
}

/**
 * Takes out the visits that the new events of each visitor can join (those ending less than the timeout
 * before the first new event or starting less than it after the last) and puts back the merge of those
 * visits with the new events, with the visit rollup adjusted by the difference. Stored events are never read again, so a long visit costs no more than a
 * short one.
 */
async function mergeVisits(tx: StatsDb, fresh: Piece[]): Promise<void> {
  const visitors = fresh.map((piece) => piece.visitor_id);
  const ats = fresh.map((piece) => piece.started_at);
  const removed = await tx.$queryRaw<Piece[]>`
    WITH span AS (
      SELECT visitor_id, min(at) AS lo, max(at) AS hi FROM unnest(${visitors}::text[], ${ats}::timestamptz[]) AS f(visitor_id, at)
      GROUP BY visitor_id
    )
    DELETE FROM visits v USING span s
    WHERE v.visitor_id = s.visitor_id AND v.ended_at >= s.lo - ${TIMEOUT}::interval AND v.started_at <= s.hi + ${TIMEOUT}::interval
    RETURNING v.visitor_id, v.started_at, v.ended_at, v.events, v.operations, v.user_id`;
  const pieces = [...removed, ...fresh];
  const column = <K extends keyof Piece>(key: K) => pieces.map((piece) => piece[key]);
  const old = <K extends keyof Piece>(key: K) => removed.map((piece) => piece[key]);
  // The visit rollup follows in the same statement: the removed visits are subtracted from the slot they
  // started in, and the visits put back are added (counts and sums only: sketches are never subtracted).
  await tx.$executeRaw`
    WITH added AS (
      INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id) ${visitsOf(Prisma.sql`
        SELECT * FROM unnest(${column('visitor_id')}::text[], ${column('started_at')}::timestamptz[], ${column('ended_at')}::timestamptz[],
                             ${column('events')}::int[], ${column('operations')}::int[], ${column('user_id')}::text[])
          AS p(visitor_id, started_at, ended_at, events, operations, user_id)`)}
      RETURNING started_at, ended_at, operations
    ),
    delta AS (
      SELECT started_at, ended_at, operations, 1 AS sign FROM added
      UNION ALL
      SELECT started_at, ended_at, operations, -1 FROM unnest(${old('started_at')}::timestamptz[], ${old('ended_at')}::timestamptz[],
                                                              ${old('operations')}::int[]) AS r(started_at, ended_at, operations)
    )
    INSERT INTO visit_rollups (width, slot, visits, bounces, duration_ms, visitors)
    ${visitDeltas(Prisma.sql`delta`)}
    ON CONFLICT (width, slot) DO UPDATE
      SET visits = visit_rollups.visits + excluded.visits, bounces = visit_rollups.bounces + excluded.bounces,
          duration_ms = visit_rollups.duration_ms + excluded.duration_ms`;
}

/** Visit counts per slot of `rows` (started_at, ended_at, operations, sign), with empty sketches. */
function visitDeltas(rows: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT w.width, ${slotOf(Prisma.sql`started_at`)}, sum(sign)::int, coalesce(sum(sign) FILTER (WHERE operations <= 1), 0)::int,
           sum(sign * (extract(epoch FROM ended_at - started_at) * 1000)::bigint)::bigint, hll_empty(${SKETCH})
    FROM ${rows} CROSS JOIN ${WIDTH_ROWS} GROUP BY 1, 2`;
}

/**
 * Visits from pieces of activity (visitor_id, started_at, ended_at, events, operations, user_id), by
 * gaps and islands: a piece starting more than the timeout after everything before it of the same
 * visitor has ended starts a new visit.
 */
function visitsOf(pieces: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT visitor_id, min(started_at), max(ended_at), sum(events)::int, sum(operations)::int,
           (array_agg(user_id ORDER BY ended_at DESC) FILTER (WHERE user_id IS NOT NULL))[1]
    FROM (
      SELECT *, sum(starts) OVER (PARTITION BY visitor_id ORDER BY started_at, ended_at) AS visit
      FROM (
        SELECT *, CASE WHEN started_at - max(ended_at) OVER (PARTITION BY visitor_id ORDER BY started_at, ended_at
                                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) <= ${TIMEOUT}::interval
                       THEN 0 ELSE 1 END AS starts
        FROM (${pieces}) AS piece
      ) marked
    ) numbered
    GROUP BY visitor_id, visit`;
}

/**
 * Recomputes both rollups from the events table as a whole (after a bulk load or a restore of events
 * from a backup); the consumer keeps them current batch by batch otherwise. Rows go in in time order,
 * as the consumer writes them: series read time ranges, and scattered rows cost a page read each.
 */
export async function rebuildRollups(db: StatsDb): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
      await tx.$executeRaw`TRUNCATE activity_rollups, visit_rollups, visits`;
      await tx.$executeRaw`INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id) ${visitsOf(Prisma.sql`
        SELECT visitor_id, at AS started_at, at AS ended_at, 1 AS events, (tag = 'operation')::int AS operations, user_id
        FROM events WHERE visitor_id IS NOT NULL`)}
        ORDER BY 2`;
      await fillRollups(tx as unknown as StatsDb, Prisma.sql`true`, Prisma.sql`true`);
    },
    { timeout: 60 * 60_000, maxWait: 60_000 },
  );
}

/**
 * Recomputes the rollups of the whole UTC days around [from, to) from the events and visits stored there
 * (after events or visits were removed by hand, as tests do); visits themselves are left as they are.
 */
export async function refreshRollups(db: StatsDb, from: Date, to: Date): Promise<void> {
  const lo = new Date(Math.floor(from.getTime() / 86_400_000) * 86_400_000);
  const hi = new Date(Math.ceil(to.getTime() / 86_400_000) * 86_400_000);
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
    await tx.$executeRaw`DELETE FROM activity_rollups WHERE slot >= ${lo}::timestamptz AND slot < ${hi}::timestamptz`;
    await tx.$executeRaw`DELETE FROM visit_rollups WHERE slot >= ${lo}::timestamptz AND slot < ${hi}::timestamptz`;
    await fillRollups(
      tx as unknown as StatsDb,
      Prisma.sql`at >= ${lo}::timestamptz AND at < ${hi}::timestamptz`,
      Prisma.sql`started_at >= ${lo}::timestamptz AND started_at < ${hi}::timestamptz`,
    );
  });
}

/** Writes both rollups from the events matching `events` and the visits matching `visits` (rows in time order). */
async function fillRollups(tx: StatsDb, events: Prisma.Sql, visits: Prisma.Sql): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO activity_rollups (width, slot, tag, events, visitors)
    SELECT w.width, ${slotOf(Prisma.sql`at`)}, tag, count(*)::int, ${sketchOf(Prisma.sql`visitor_id`)}
    FROM events CROSS JOIN ${WIDTH_ROWS} WHERE ${events} GROUP BY 1, 2, 3
    ORDER BY 1, 2`;
  await tx.$executeRaw`
    INSERT INTO visit_rollups (width, slot, visits, bounces, duration_ms, visitors)
    SELECT width, slot, sum(visits)::int, sum(bounces)::int, sum(duration_ms)::bigint, hll_union_agg(visitors)
    FROM (
      ${visitDeltas(Prisma.sql`(SELECT started_at, ended_at, operations, 1 AS sign FROM visits WHERE ${visits}) AS v`)}
      UNION ALL
      SELECT w.width, ${slotOf(Prisma.sql`at`)}, 0, 0, 0, ${sketchOf(Prisma.sql`visitor_id`)}
      FROM events CROSS JOIN ${WIDTH_ROWS} WHERE visitor_id IS NOT NULL AND ${events} GROUP BY 1, 2
    ) AS parts(width, slot, visits, bounces, duration_ms, visitors)
    GROUP BY 1, 2 ORDER BY 1, 2`;
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
