import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { VISIT_TIMEOUT_MS } from '../ingest/ingest';
import type { Bucket, Interval } from './period';

const VISIT_TIMEOUT = `${VISIT_TIMEOUT_MS / 1000} seconds`;

/** Tag of a GraphQL operation event in events and activity_rollups. */
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

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The buckets as a table b(start, "end", h0, h1, d0, d1): [h0, h1) are its whole hours and [d0, d1) its
 * whole UTC days (empty ranges sit at h1 and "end"), so [start, h0) and [h1, "end") are read from
 * 15-minute slots, [h0, d0) and [d1, h1) from hours and [d0, d1) from days (see ingest/rollups.ts).
 */
function rollupBuckets(buckets: { start: Date; end: Date }[]): Prisma.Sql {
  const cols: Date[][] = [[], [], [], [], [], []];
  for (const { start, end } of buckets) {
    const s = start.getTime();
    const e = end.getTime();
    let h0 = Math.ceil(s / HOUR_MS) * HOUR_MS;
    let h1 = Math.floor(e / HOUR_MS) * HOUR_MS;
    if (h0 >= h1) h0 = h1 = e;
    let d0 = Math.ceil(s / DAY_MS) * DAY_MS;
    let d1 = Math.floor(e / DAY_MS) * DAY_MS;
    if (d0 >= d1 || d0 < h0 || d1 > h1) d0 = d1 = h1;
    [s, e, h0, h1, d0, d1].forEach((t, i) => cols[i]!.push(new Date(t)));
  }
  const [a, b, c, d, e, f] = cols;
  return Prisma.sql`unnest(${a}::timestamptz[], ${b}::timestamptz[], ${c}::timestamptz[], ${d}::timestamptz[],
                           ${e}::timestamptz[], ${f}::timestamptz[]) AS b(start, "end", h0, h1, d0, d1)`;
}

/** The rows of `table` (alias r) covering bucket b exactly, with `columns` and the extra filter `where`. */
function rollupRows(table: 'activity_rollups' | 'visit_rollups', columns: Prisma.Sql, where: Prisma.Sql = Prisma.sql`true`) {
  const part = (width: number, from: string, to: string) =>
    Prisma.sql`SELECT ${columns} FROM ${Prisma.raw(table)} r
               WHERE r.width = ${width}::smallint AND r.slot >= b.${Prisma.raw(from)} AND r.slot < b.${Prisma.raw(to)} AND ${where}`;
  return Prisma.sql`LATERAL (
    ${part(15, 'start', 'h0')} UNION ALL ${part(15, 'h1', '"end"')} UNION ALL
    ${part(60, 'h0', 'd0')} UNION ALL ${part(60, 'd1', 'h1')} UNION ALL ${part(1440, 'd0', 'd1')}
  )`;
}

/** Unique visitors of a union of sketches (none: 0). */
const VISITORS = Prisma.sql`round(coalesce(hll_cardinality(hll_union_agg(s.visitors)), 0))::int`;
const ACTIVITY = Prisma.sql`r.tag, r.events, r.visitors`;
const ATTENDANCE = Prisma.sql`r.visits, r.bounces, r.duration_ms, r.visitors`;

/**
 * Events and unique visitors of `tags` per bucket. Buckets of 15 minutes and more read the activity
 * rollups (whole days, hours and 15-minute slots, see ingest/rollups.ts); minutes read the events themselves.
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
    SELECT b.start, b."end", coalesce(sum(s.events), 0)::int AS events, ${VISITORS} AS visitors
    FROM ${rollupBuckets(buckets)}
    LEFT JOIN ${rollupRows('activity_rollups', ACTIVITY, Prisma.sql`r.tag = ANY(${tags}::text[])`)} s ON true
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
    SELECT b.start, b."end", t.tag, coalesce(sum(s.events), 0)::int AS events, ${VISITORS} AS visitors
    FROM ${rollupBuckets(buckets)}
    CROSS JOIN unnest(${tags}::text[]) AS t(tag)
    LEFT JOIN ${rollupRows('activity_rollups', ACTIVITY, Prisma.sql`r.tag = t.tag`)} s ON true
    GROUP BY b.start, b."end", t.tag ORDER BY b.start, t.tag`;
}

/**
 * Visits (by the bucket they started in), bounces and durations, and visitors active in each bucket,
 * from the visit rollup. Minute buckets (periods of a day at most) read the events and visits themselves.
 */
export async function attendanceRows(db: StatsDb, interval: Interval, buckets: Bucket[]): Promise<AttendanceRow[]> {
  if (!buckets.length) return [];
  const [starts, ends] = edges(buckets);
  const rows =
    interval === 'MINUTE'
      ? await minuteAttendance(db, starts, ends)
      : await db.$queryRaw<Omit<AttendanceRow, 'signUps'>[]>`
          SELECT b.start, b."end", coalesce(sum(s.visits), 0)::int AS visits, ${VISITORS} AS visitors,
                 coalesce(sum(s.bounces), 0)::int AS bounces,
                 (coalesce(sum(s.duration_ms), 0) / 1000.0)::float8 AS "totalVisitSeconds"
          FROM ${rollupBuckets(buckets)}
          LEFT JOIN ${rollupRows('visit_rollups', ATTENDANCE)} s ON true
          GROUP BY b.start, b."end" ORDER BY b.start`;
  const signUps = await db.$queryRaw<{ start: Date; signUps: number }[]>`
    SELECT b.start, count(s.user_id)::int AS "signUps"
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN sign_ups s ON s.at >= b.start AND s.at < b."end"
    GROUP BY b.start`;
  const signUpsAt = new Map(signUps.map((row) => [row.start.getTime(), row.signUps]));
  return rows.map((row) => ({ ...row, signUps: signUpsAt.get(row.start.getTime()) ?? 0 }));
}

async function minuteAttendance(db: StatsDb, starts: Date[], ends: Date[]): Promise<Omit<AttendanceRow, 'signUps'>[]> {
  const visitors = await db.$queryRaw<{ start: Date; visitors: number }[]>`
    SELECT b.start, count(DISTINCT e.visitor_id)::int AS visitors
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN events e ON e.at >= b.start AND e.at < b."end"
    GROUP BY b.start`;
  const visits = await db.$queryRaw<Omit<AttendanceRow, 'visitors' | 'signUps'>[]>`
    SELECT b.start, b."end", count(v.visitor_id)::int AS visits,
           (count(v.visitor_id) FILTER (WHERE v.operations <= 1))::int AS bounces,
           coalesce(sum(extract(epoch FROM v.ended_at - v.started_at)), 0)::float8 AS "totalVisitSeconds"
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN visits v ON v.started_at >= b.start AND v.started_at < b."end"
    GROUP BY b.start, b."end" ORDER BY b.start`;
  const visitorsAt = new Map(visitors.map((row) => [row.start.getTime(), row.visitors]));
  return visits.map((row) => ({ ...row, visitors: visitorsAt.get(row.start.getTime()) ?? 0 }));
}

/** Visits started in [from, to), their bounces and durations, and visitors active in it, from the visit rollup. */
export async function periodAttendance(
  db: StatsDb,
  from: Date,
  to: Date,
): Promise<{ visits: number; visitors: number; bounces: number; totalVisitSeconds: number }> {
  const [row] = await db.$queryRaw<{ visits: number; visitors: number; bounces: number; totalVisitSeconds: number }[]>`
    SELECT coalesce(sum(s.visits), 0)::int AS visits, ${VISITORS} AS visitors, coalesce(sum(s.bounces), 0)::int AS bounces,
           (coalesce(sum(s.duration_ms), 0) / 1000.0)::float8 AS "totalVisitSeconds"
    FROM ${rollupBuckets([{ start: from, end: to }])}
    LEFT JOIN ${rollupRows('visit_rollups', ATTENDANCE)} s ON true`;
  return row!;
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
          SELECT coalesce(sum(s.events), 0)::int AS events, ${VISITORS} AS visitors
          FROM ${rollupBuckets([{ start: from, end: to }])}
          LEFT JOIN ${rollupRows('activity_rollups', ACTIVITY, Prisma.sql`(${tags}::text[] IS NULL OR r.tag = ANY(${tags}::text[]))`)} s ON true`;
  return row!;
}

/** periodActivity of each of `tags` (null: every tag) on its own (tags without events are absent), most events first. */
export async function periodActivityByTag(
  db: StatsDb,
  interval: Interval,
  from: Date,
  to: Date,
  tags: string[] | null,
): Promise<{ tag: string; events: number; visitors: number }[]> {
  return interval === 'MINUTE'
    ? db.$queryRaw`
        SELECT tag, count(*)::int AS events, count(DISTINCT visitor_id)::int AS visitors FROM events
        WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz AND (${tags}::text[] IS NULL OR tag = ANY(${tags}::text[]))
        GROUP BY tag ORDER BY events DESC, tag`
    : db.$queryRaw`
        SELECT s.tag, sum(s.events)::int AS events, ${VISITORS} AS visitors
        FROM ${rollupBuckets([{ start: from, end: to }])}
        JOIN ${rollupRows('activity_rollups', ACTIVITY, Prisma.sql`(${tags}::text[] IS NULL OR r.tag = ANY(${tags}::text[]))`)} s ON true
        GROUP BY s.tag ORDER BY events DESC, s.tag`;
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
