import type { StatsDb } from '../db/client';
import { VISIT_TIMEOUT_MS } from '../ingest/ingest';
import type { Bucket, Interval } from './period';

const VISIT_TIMEOUT = `${VISIT_TIMEOUT_MS / 1000} seconds`;

/** Tag of a GraphQL operation event in events and activity_slots. */
export const OPERATION = 'operation';

export interface ActivityRow {
  start: Date;
  end: Date;
  events: number;
  visitors: number;
}

export interface AttendanceRow {
  start: Date;
  end: Date;
  visits: number;
  visitors: number;
  bounces: number;
  totalVisitSeconds: number;
  signUps: number;
}

const edges = (buckets: Bucket[]) => [buckets.map((b) => b.start), buckets.map((b) => b.end)] as const;

/**
 * Events and unique visitors of `tags` per bucket. Buckets of 15 minutes and more read the 15-minute
 * slots (one row per visitor, tag and slot); minutes read the events themselves.
 */
export async function activityRows(db: StatsDb, interval: Interval, buckets: Bucket[], tags: string[]): Promise<ActivityRow[]> {
  if (!buckets.length) return [];
  const [starts, ends] = edges(buckets);
  if (interval === 'MINUTE') {
    return db.$queryRaw<ActivityRow[]>`
      SELECT b.start, b."end", count(e.id)::int AS events, count(DISTINCT e.visitor_id)::int AS visitors
      FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
      LEFT JOIN events e ON e.tag = ANY(${tags}::text[]) AND e.at >= b.start AND e.at < b."end"
      GROUP BY b.start, b."end" ORDER BY b.start`;
  }
  return db.$queryRaw<ActivityRow[]>`
    SELECT b.start, b."end", coalesce(sum(s.events), 0)::int AS events,
           count(DISTINCT nullif(s.visitor_id, ''))::int AS visitors
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN activity_slots s ON s.slot >= b.start AND s.slot < b."end" AND s.tag = ANY(${tags}::text[])
    GROUP BY b.start, b."end" ORDER BY b.start`;
}

export interface TagActivityRow extends ActivityRow {
  tag: string;
}

/** activityRows for each of `tags` on its own: one row per bucket and tag, ordered by bucket then tag. */
export async function activityRowsByTag(
  db: StatsDb,
  interval: Interval,
  buckets: Bucket[],
  tags: string[],
): Promise<TagActivityRow[]> {
  if (!buckets.length || !tags.length) return [];
  const [starts, ends] = edges(buckets);
  if (interval === 'MINUTE') {
    return db.$queryRaw<TagActivityRow[]>`
      SELECT b.start, b."end", t.tag, count(e.id)::int AS events, count(DISTINCT e.visitor_id)::int AS visitors
      FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
      CROSS JOIN unnest(${tags}::text[]) AS t(tag)
      LEFT JOIN events e ON e.tag = t.tag AND e.at >= b.start AND e.at < b."end"
      GROUP BY b.start, b."end", t.tag ORDER BY b.start, t.tag`;
  }
  return db.$queryRaw<TagActivityRow[]>`
    SELECT b.start, b."end", t.tag, coalesce(sum(s.events), 0)::int AS events,
           count(DISTINCT nullif(s.visitor_id, ''))::int AS visitors
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    CROSS JOIN unnest(${tags}::text[]) AS t(tag)
    LEFT JOIN activity_slots s ON s.slot >= b.start AND s.slot < b."end" AND s.tag = t.tag
    GROUP BY b.start, b."end", t.tag ORDER BY b.start, t.tag`;
}

/** Visits (by the bucket they started in), bounces and durations, and visitors active in each bucket. */
export async function attendanceRows(db: StatsDb, interval: Interval, buckets: Bucket[]): Promise<AttendanceRow[]> {
  if (!buckets.length) return [];
  const [starts, ends] = edges(buckets);
  const visitors =
    interval === 'MINUTE'
      ? await db.$queryRaw<{ start: Date; visitors: number }[]>`
          SELECT b.start, count(DISTINCT e.visitor_id)::int AS visitors
          FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
          LEFT JOIN events e ON e.at >= b.start AND e.at < b."end"
          GROUP BY b.start`
      : await db.$queryRaw<{ start: Date; visitors: number }[]>`
          SELECT b.start, count(DISTINCT nullif(s.visitor_id, ''))::int AS visitors
          FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
          LEFT JOIN activity_slots s ON s.slot >= b.start AND s.slot < b."end"
          GROUP BY b.start`;
  const visits = await db.$queryRaw<Omit<AttendanceRow, 'visitors'>[]>`
    SELECT b.start, b."end", count(v.visitor_id)::int AS visits,
           (count(v.visitor_id) FILTER (WHERE v.operations <= 1))::int AS bounces,
           coalesce(sum(extract(epoch FROM v.ended_at - v.started_at)), 0)::float8 AS "totalVisitSeconds"
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN visits v ON v.started_at >= b.start AND v.started_at < b."end"
    GROUP BY b.start, b."end" ORDER BY b.start`;
  const signUps = await db.$queryRaw<{ start: Date; signUps: number }[]>`
    SELECT b.start, count(s.user_id)::int AS "signUps"
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN sign_ups s ON s.at >= b.start AND s.at < b."end"
    GROUP BY b.start`;
  const visitorsAt = new Map(visitors.map((row) => [row.start.getTime(), row.visitors]));
  const signUpsAt = new Map(signUps.map((row) => [row.start.getTime(), row.signUps]));
  return visits.map((row) => ({
    ...row,
    visitors: visitorsAt.get(row.start.getTime()) ?? 0,
    signUps: signUpsAt.get(row.start.getTime()) ?? 0,
  }));
}

/** Unique visitors and events over [from, to) as a whole, from the slots when the edges allow it. */
export async function periodActivity(
  db: StatsDb,
  interval: Interval,
  from: Date,
  to: Date,
  tags: string[] | null,
): Promise<{ events: number; visitors: number }> {
  const [row] =
    interval === 'MINUTE'
      ? await db.$queryRaw<{ events: number; visitors: number }[]>`
          SELECT count(*)::int AS events, count(DISTINCT visitor_id)::int AS visitors FROM events
          WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz AND (${tags}::text[] IS NULL OR tag = ANY(${tags}::text[]))`
      : await db.$queryRaw<{ events: number; visitors: number }[]>`
          SELECT coalesce(sum(events), 0)::int AS events, count(DISTINCT nullif(visitor_id, ''))::int AS visitors
          FROM activity_slots
          WHERE slot >= ${from}::timestamptz AND slot < ${to}::timestamptz AND (${tags}::text[] IS NULL OR tag = ANY(${tags}::text[]))`;
  return row!;
}

/** periodActivity of each of `tags` on its own (tags without events are absent). */
export async function periodActivityByTag(
  db: StatsDb,
  interval: Interval,
  from: Date,
  to: Date,
  tags: string[],
): Promise<{ tag: string; events: number; visitors: number }[]> {
  return interval === 'MINUTE'
    ? db.$queryRaw`
        SELECT tag, count(*)::int AS events, count(DISTINCT visitor_id)::int AS visitors FROM events
        WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz AND tag = ANY(${tags}::text[])
        GROUP BY tag`
    : db.$queryRaw`
        SELECT tag, coalesce(sum(events), 0)::int AS events, count(DISTINCT nullif(visitor_id, ''))::int AS visitors
        FROM activity_slots
        WHERE slot >= ${from}::timestamptz AND slot < ${to}::timestamptz AND tag = ANY(${tags}::text[])
        GROUP BY tag`;
}

export interface VisitTotals {
  visits: number;
  signedInVisits: number;
  bounces: number;
  totalVisitSeconds: number;
  /** Visits in which their visitor signed up: from the visit's start to the timeout after its last event. */
  signUpVisits: number;
}

export async function visitTotals(db: StatsDb, from: Date, to: Date): Promise<VisitTotals> {
  const [row] = await db.$queryRaw<VisitTotals[]>`
    SELECT count(*)::int AS visits, (count(*) FILTER (WHERE user_id IS NOT NULL))::int AS "signedInVisits",
           (count(*) FILTER (WHERE operations <= 1))::int AS bounces,
           coalesce(sum(extract(epoch FROM ended_at - started_at)), 0)::float8 AS "totalVisitSeconds",
           (count(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM sign_ups s WHERE s.visitor_id = v.visitor_id
               AND s.at >= v.started_at AND s.at < v.ended_at + ${VISIT_TIMEOUT}::interval)))::int AS "signUpVisits"
    FROM visits v WHERE started_at >= ${from}::timestamptz AND started_at < ${to}::timestamptz`;
  return row!;
}

/** Accounts created in [from, to). */
export async function periodSignUps(db: StatsDb, from: Date, to: Date): Promise<number> {
  const [row] = await db.$queryRaw<{ signUps: number }[]>`
    SELECT count(*)::int AS "signUps" FROM sign_ups WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz`;
  return row!.signUps;
}
