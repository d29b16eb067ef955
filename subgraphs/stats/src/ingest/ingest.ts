import type { StatsEventV1 } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';

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
/** The 15-minute slot of an event's `at`. */
const SLOT_OF_AT = Prisma.sql`date_bin('15 minutes', at, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;

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
 * transaction: the 15-minute activity slots, and the visits of every visitor in the batch, merged with
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
        INSERT INTO activity_slots (slot, tag, visitor_id, events)
        SELECT ${SLOT_OF_AT}, tag, coalesce(visitor_id, ''), count(*)::int
        FROM inserted GROUP BY 1, 2, 3
        ON CONFLICT (slot, tag, visitor_id) DO UPDATE SET events = activity_slots.events + excluded.events
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
 * visits with the new events. Stored events are never read again, so a long visit costs no more than a
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
  await tx.$executeRaw`INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id) ${visitsOf(Prisma.sql`
    SELECT * FROM unnest(${column('visitor_id')}::text[], ${column('started_at')}::timestamptz[], ${column('ended_at')}::timestamptz[],
                         ${column('events')}::int[], ${column('operations')}::int[], ${column('user_id')}::text[])
      AS p(visitor_id, started_at, ended_at, events, operations, user_id)`)}`;
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
      await tx.$executeRaw`TRUNCATE activity_slots, visits`;
      await tx.$executeRaw`
        INSERT INTO activity_slots (slot, tag, visitor_id, events)
        SELECT ${SLOT_OF_AT}, tag, coalesce(visitor_id, ''), count(*)::int
        FROM events GROUP BY 1, 2, 3
        ORDER BY 1`;
      await tx.$executeRaw`INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id) ${visitsOf(Prisma.sql`
        SELECT visitor_id, at AS started_at, at AS ended_at, 1 AS events, (tag = 'operation')::int AS operations, user_id
        FROM events WHERE visitor_id IS NOT NULL`)}
        ORDER BY 2`;
    },
    { timeout: 60 * 60_000, maxWait: 60_000 },
  );
}
