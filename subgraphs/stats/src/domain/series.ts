import { ACTIVITY_TAGS } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import type { Bucket } from './period';

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

const MINUTES = (minutes: number) => minutes * 60_000;
const LEVELS = [15, 60, 1440].map(MINUTES);

/**
 * The buckets as a table b(start, "end", q0, q1, h0, h1, d0, d1): [q0, q1) are a bucket's whole quarters,
 * [h0, h1) its whole hours and [d0, d1) its whole UTC days (empty ranges sit at the end of the next finer
 * range), so [start, q0) and [q1, "end") are read from minutes, [q0, h0) and [h1, q1) from quarters,
 * [h0, d0) and [d1, h1) from hours and [d0, d1) from days (see ingest/rollups.ts).
 */
function rollupBuckets(buckets: { start: Date; end: Date }[]): Prisma.Sql {
  const cols: Date[][] = Array.from({ length: 8 }, () => []);
  for (const { start, end } of buckets) {
    const edges = [start.getTime(), end.getTime()];
    let [lo, hi] = edges as [number, number];
    for (const width of LEVELS) {
      let a = Math.ceil(lo / width) * width;
      let b = Math.floor(hi / width) * width;
      if (a >= b) a = b = hi;
      edges.push(a, b);
      [lo, hi] = [a, b];
    }
    edges.forEach((t, i) => cols[i]!.push(new Date(t)));
  }
  const arrays = cols.map((col) => Prisma.sql`${col}::timestamptz[]`);
  return Prisma.sql`unnest(${Prisma.join(arrays)}) AS b(start, "end", q0, q1, h0, h1, d0, d1)`;
}

type RollupTable = 'activity_rollups' | 'visit_rollups' | 'item_rollups' | 'operation_rollups';

/**
 * The rows of `table` (alias r) covering bucket b exactly, with `columns` and the extra filter `where`.
 * Item and operation rollups start at quarters, as the buckets that read them (the overview's) do.
 */
function rollupRows(table: RollupTable, columns: Prisma.Sql, where: Prisma.Sql = Prisma.sql`true`) {
  const part = (width: number, from: string, to: string) =>
    Prisma.sql`SELECT ${columns} FROM ${Prisma.raw(table)} r
               WHERE r.width = ${width}::smallint AND r.slot >= b.${Prisma.raw(from)} AND r.slot < b.${Prisma.raw(to)} AND ${where}`;
  const minutes = table === 'activity_rollups' || table === 'visit_rollups';
  return Prisma.sql`LATERAL (
    ${minutes ? Prisma.sql`${part(1, 'start', 'q0')} UNION ALL ${part(1, 'q1', '"end"')} UNION ALL` : Prisma.empty}
    ${part(15, 'q0', 'h0')} UNION ALL ${part(15, 'h1', 'q1')} UNION ALL
    ${part(60, 'h0', 'd0')} UNION ALL ${part(60, 'd1', 'h1')} UNION ALL ${part(1440, 'd0', 'd1')}
  )`;
}

/** Unique visitors of a union of sketches (none: 0). */
const VISITORS = Prisma.sql`round(coalesce(hll_cardinality(hll_union_agg(s.visitors)), 0))::int`;
const ACTIVITY = Prisma.sql`r.tag, r.events, r.visitors`;

const tagFilter = (tags: string[] | null) => Prisma.sql`(${tags}::text[] IS NULL OR r.tag = ANY(${tags}::text[]))`;
const everyActivity = (tags: string[]) =>
  tags.length === ACTIVITY_TAGS.length && ACTIVITY_TAGS.every((tag) => tags.includes(tag));

/**
 * For each bucket b, `a.events` and `a.visitors` of `tags` (null: every event, GraphQL operations included):
 * the visitors of every event or every activity from one sketch per slot (visit_rollups), of other tags
 * from the union of theirs.
 */
function activityOf(tags: string[] | null): Prisma.Sql {
  const visitors =
    tags === null || everyActivity(tags)
      ? rollupRows('visit_rollups', tags === null ? Prisma.sql`r.visitors` : Prisma.sql`r.activity_visitors AS visitors`)
      : rollupRows('activity_rollups', Prisma.sql`r.visitors`, tagFilter(tags));
  return Prisma.sql`
    CROSS JOIN LATERAL (SELECT coalesce(sum(s.events), 0)::int AS events FROM ${rollupRows('activity_rollups', Prisma.sql`r.events`, tagFilter(tags))} s) e
    CROSS JOIN LATERAL (SELECT ${VISITORS} AS visitors FROM ${visitors} s) a`;
}

/** For each bucket b: visits started in it with their figures and its unique visitors (v), from the visit rollup. */
const VISIT_FIGURES = Prisma.sql`
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(s.visits), 0)::int AS visits, ${VISITORS} AS visitors, coalesce(sum(s.bounces), 0)::int AS bounces,
           (coalesce(sum(s.duration_ms), 0) / 1000.0)::float8 AS "totalVisitSeconds",
           coalesce(sum(s.signed_in), 0)::int AS "signedInVisits", coalesce(sum(s.sign_up_visits), 0)::int AS "signUpVisits"
    FROM ${rollupRows('visit_rollups', Prisma.sql`r.visits, r.bounces, r.duration_ms, r.signed_in, r.sign_up_visits, r.visitors`)} s
  ) v`;

/** Events and unique visitors of `tags` per bucket, from the rollups (see ingest/rollups.ts). */
export async function activityRows(db: StatsDb, buckets: Bucket[], tags: string[]): Promise<ActivityRow[]> {
  if (!buckets.length) return [];
  return db.$queryRaw<ActivityRow[]>`
    SELECT b.start, b."end", e.events, a.visitors FROM ${rollupBuckets(buckets)} ${activityOf(tags)} ORDER BY b.start`;
}

export interface TagActivityRow extends ActivityRow {
  tag: string;
}

/** activityRows for each of `tags` on its own: one row per bucket and tag, ordered by bucket then tag. */
export async function activityRowsByTag(db: StatsDb, buckets: Bucket[], tags: string[]): Promise<TagActivityRow[]> {
  if (!buckets.length || !tags.length) return [];
  return db.$queryRaw<TagActivityRow[]>`
    SELECT b.start, b."end", t.tag, coalesce(sum(s.events), 0)::int AS events, ${VISITORS} AS visitors
    FROM ${rollupBuckets(buckets)}
    CROSS JOIN unnest(${tags}::text[]) AS t(tag)
    LEFT JOIN ${rollupRows('activity_rollups', ACTIVITY, Prisma.sql`r.tag = t.tag`)} s ON true
    GROUP BY b.start, b."end", t.tag ORDER BY b.start, t.tag`;
}

/**
 * Visits (by the bucket they started in), bounces and durations, visitors active in each bucket, from the
 * visit rollup, and the accounts created in it.
 */
export async function attendanceRows(db: StatsDb, buckets: Bucket[]): Promise<AttendanceRow[]> {
  if (!buckets.length) return [];
  const [starts, ends] = edges(buckets);
  const rows = await db.$queryRaw<Omit<AttendanceRow, 'signUps'>[]>`
    SELECT b.start, b."end", v.visits, v.visitors, v.bounces, v."totalVisitSeconds"
    FROM ${rollupBuckets(buckets)} ${VISIT_FIGURES}
    ORDER BY b.start`;
  // One row per account, not per event: small, and read by its index on at.
  const signUps = await db.$queryRaw<{ start: Date; signUps: number }[]>`
    SELECT b.start, count(s.user_id)::int AS "signUps"
    FROM unnest(${starts}::timestamptz[], ${ends}::timestamptz[]) AS b(start, "end")
    LEFT JOIN sign_ups s ON s.at >= b.start AND s.at < b."end"
    GROUP BY b.start`;
  const signUpsAt = new Map(signUps.map((row) => [row.start.getTime(), row.signUps]));
  return rows.map((row) => ({ ...row, signUps: signUpsAt.get(row.start.getTime()) ?? 0 }));
}

export interface VisitTotals {
  visits: number;
  visitors: number;
  signedInVisits: number;
  bounces: number;
  totalVisitSeconds: number;
  /** Visits in which their visitor signed up: from the visit's start to the timeout after its last event. */
  signUpVisits: number;
}

/** Visits started in [from, to) with their figures, and visitors active in it, from the visit rollup. */
export async function periodVisits(db: StatsDb, from: Date, to: Date): Promise<VisitTotals> {
  const [row] = await db.$queryRaw<VisitTotals[]>`
    SELECT v.* FROM ${rollupBuckets([{ start: from, end: to }])} ${VISIT_FIGURES}`;
  return row!;
}

/** Unique visitors and events of `tags` (null: every event) over [from, to) as a whole. */
export async function periodActivity(
  db: StatsDb,
  from: Date,
  to: Date,
  tags: string[] | null,
): Promise<{ events: number; visitors: number }> {
  const [row] = await db.$queryRaw<{ events: number; visitors: number }[]>`
    SELECT e.events, a.visitors FROM ${rollupBuckets([{ start: from, end: to }])} ${activityOf(tags)}`;
  return row!;
}

/** periodActivity of each of `tags` (null: every tag) on its own (tags without events are absent), most events first. */
export async function periodActivityByTag(
  db: StatsDb,
  from: Date,
  to: Date,
  tags: string[] | null,
): Promise<{ tag: string; events: number; visitors: number }[]> {
  return db.$queryRaw`
    SELECT s.tag, sum(s.events)::int AS events, ${VISITORS} AS visitors
    FROM ${rollupBuckets([{ start: from, end: to }])}
    JOIN ${rollupRows('activity_rollups', ACTIVITY, tagFilter(tags))} s ON true
    GROUP BY s.tag ORDER BY events DESC, s.tag`;
}

export interface OperationTotals {
  name: string | null;
  count: number;
  errors: number;
  averageDurationMs: number;
}

/** GraphQL operations by name over [from, to) (whole quarters), most frequent first. */
export async function periodOperations(db: StatsDb, from: Date, to: Date): Promise<OperationTotals[]> {
  return db.$queryRaw<OperationTotals[]>`
    SELECT nullif(s.name, '') AS name, sum(s.operations)::int AS count, sum(s.errors)::int AS errors,
           (sum(s.duration_ms)::float8 / sum(s.operations)) AS "averageDurationMs"
    FROM ${rollupBuckets([{ start: from, end: to }])}
    JOIN ${rollupRows('operation_rollups', Prisma.sql`r.name, r.operations, r.errors, r.duration_ms`)} s ON true
    GROUP BY s.name ORDER BY count DESC, name`;
}

export interface ItemViews {
  itemId: string;
  views: number;
  visitors: number;
}

/** The `top` items of activity `tag` by views over [from, to) (whole quarters). */
export async function topItems(db: StatsDb, tag: string, from: Date, to: Date, top: number): Promise<ItemViews[]> {
  return db.$queryRaw<ItemViews[]>`
    SELECT s.item_id AS "itemId", sum(s.views)::int AS views, ${VISITORS} AS visitors
    FROM ${rollupBuckets([{ start: from, end: to }])}
    JOIN ${rollupRows('item_rollups', Prisma.sql`r.item_id, r.views, r.visitors`, Prisma.sql`r.tag = ${tag}`)} s ON true
    GROUP BY s.item_id ORDER BY views DESC, "itemId" LIMIT ${top}`;
}

/** Accounts created in [from, to). */
export async function periodSignUps(db: StatsDb, from: Date, to: Date): Promise<number> {
  const [row] = await db.$queryRaw<{ signUps: number }[]>`
    SELECT count(*)::int AS "signUps" FROM sign_ups WHERE at >= ${from}::timestamptz AND at < ${to}::timestamptz`;
  return row!.signUps;
}
