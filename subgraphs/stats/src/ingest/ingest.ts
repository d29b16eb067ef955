import type { StatsEventV1 } from '@keylab/messaging';
import type { StatsDb } from '../db/client';

/** A visit ends after this much inactivity (Plausible, Umami, Matomo and PostHog all use 30 minutes). */
export const VISIT_TIMEOUT_MS = 30 * 60_000;
/**
 * An event older than this when it is written arrived late (after a broker outage, say): it can change
 * buckets that were already answered as closed, so the result cache is dropped.
 */
export const LATE_AFTER_MS = 60_000;
/** Serialises writers: slot upserts and visit rebuilds of two batches never interleave (or deadlock). */
const INGEST_LOCK = 0x6b6c_5354; // "klST"

export interface IngestResult {
  /** New events written; duplicates of events already stored are not counted. */
  inserted: number;
  /** Some new event happened more than LATE_AFTER_MS before `now`. */
  late: boolean;
}

type Row = { visitor_id: string | null; lo: Date; hi: Date; inserted: number };

/**
 * Writes a batch of events, once each (by event id), and keeps the two rollups in step in the same
 * transaction: the 15-minute activity slots, and the visits of every visitor in the batch, rebuilt from
 * their events around the new ones so that late or out-of-order events land in the right visit.
 */
export async function ingestEvents(db: StatsDb, events: StatsEventV1[], now = new Date()): Promise<IngestResult> {
  if (!events.length) return { inserted: 0, late: false };
  const column = <T>(pick: (event: StatsEventV1) => T) => events.map(pick);
  const operation = <T>(pick: (event: Extract<StatsEventV1, { kind: 'operation' }>) => T) =>
    column((event) => (event.kind === 'operation' ? pick(event) : null));
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INGEST_LOCK}::bigint)`;
    const touched = await tx.$queryRaw<Row[]>`
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
        RETURNING at, tag, visitor_id
      ),
      slots AS (
        INSERT INTO activity_slots (slot, tag, visitor_id, events)
        SELECT date_bin('15 minutes', at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), tag, coalesce(visitor_id, ''), count(*)::int
        FROM inserted GROUP BY 1, 2, 3
        ON CONFLICT (slot, tag, visitor_id) DO UPDATE SET events = activity_slots.events + excluded.events
      )
      SELECT visitor_id, min(at) AS lo, max(at) AS hi, count(*)::int AS inserted FROM inserted GROUP BY visitor_id`;

    const inserted = touched.reduce((sum, row) => sum + row.inserted, 0);
    const late = touched.some((row) => row.lo.getTime() < now.getTime() - LATE_AFTER_MS);
    const visitors = touched.filter((row) => row.visitor_id);
    if (visitors.length) await rebuildVisits(tx as unknown as StatsDb, visitors);
    return { inserted, late };
  });
}

/**
 * Replaces the visits that the new events [lo, hi] of each visitor touch (those ending less than the
 * timeout before lo or starting less than it after hi) by visits recomputed from all events in their
 * span: gaps longer than the timeout start a new visit.
 */
async function rebuildVisits(tx: StatsDb, rows: Row[]): Promise<void> {
  const timeout = `${VISIT_TIMEOUT_MS / 1000} seconds`;
  const spans = await tx.$queryRaw<{ visitor_id: string; lo: Date; hi: Date }[]>`
    WITH affected AS (
      SELECT * FROM unnest(${rows.map((r) => r.visitor_id)}::text[], ${rows.map((r) => r.lo)}::timestamptz[],
                           ${rows.map((r) => r.hi)}::timestamptz[]) AS a(visitor_id, lo, hi)
    ),
    removed AS (
      DELETE FROM visits v USING affected a
      WHERE v.visitor_id = a.visitor_id
        AND v.ended_at >= a.lo - ${timeout}::interval AND v.started_at <= a.hi + ${timeout}::interval
      RETURNING v.visitor_id, v.started_at, v.ended_at
    )
    SELECT a.visitor_id, least(a.lo, min(r.started_at)) AS lo, greatest(a.hi, max(r.ended_at)) AS hi
    FROM affected a LEFT JOIN removed r USING (visitor_id)
    GROUP BY a.visitor_id, a.lo, a.hi`;
  await tx.$executeRaw`
    INSERT INTO visits (visitor_id, started_at, ended_at, events, operations, user_id)
    SELECT visitor_id, min(at), max(at), count(*)::int, (count(*) FILTER (WHERE tag = 'operation'))::int,
           (array_agg(user_id ORDER BY at DESC) FILTER (WHERE user_id IS NOT NULL))[1]
    FROM (
      SELECT visitor_id, at, tag, user_id, sum(starts) OVER (PARTITION BY visitor_id ORDER BY at, id) AS visit
      FROM (
        SELECT e.visitor_id, e.at, e.id, e.tag, e.user_id,
               CASE WHEN e.at - lag(e.at) OVER (PARTITION BY e.visitor_id ORDER BY e.at, e.id) <= ${timeout}::interval
                    THEN 0 ELSE 1 END AS starts
        FROM unnest(${spans.map((s) => s.visitor_id)}::text[], ${spans.map((s) => s.lo)}::timestamptz[],
                    ${spans.map((s) => s.hi)}::timestamptz[]) AS s(visitor_id, lo, hi)
        JOIN events e ON e.visitor_id = s.visitor_id AND e.at BETWEEN s.lo AND s.hi
      ) marked
    ) numbered
    GROUP BY visitor_id, visit`;
}
