import { errors } from '@keylab/errors';
import { ACTIVITY_TAGS } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { watermarks, type ResultCache } from './cache';
import { overviewPeriod, seriesPeriod, type Bucket, type Period, type PeriodInput } from './period';
import {
  OPERATION,
  activityRows,
  activityRowsByTag,
  attendanceRows,
  periodActivity,
  periodActivityByTag,
  periodOperations,
  periodSignUps,
  periodVisits,
  topItems,
  type ActivityRow,
  type AttendanceRow,
  type ItemViews,
  type OperationTotals,
} from './series';

export interface StatsDeps {
  db: StatsDb;
  cache: ResultCache;
}

/**
 * Rows of the closed buckets (a prefix of the series) come from the cache; the open ones are always
 * computed.
 */
async function cachedRows<T>(
  cache: ResultCache,
  key: unknown[],
  buckets: Bucket[],
  closedUntil: Date,
  compute: (buckets: Bucket[]) => Promise<T[]>,
): Promise<T[]> {
  const closed = buckets.filter((bucket) => bucket.end <= closedUntil);
  const open = buckets.slice(closed.length);
  const head = closed.length ? await cache.read([...key, closed[0]!.start, closed.at(-1)!.end], () => compute(closed)) : [];
  return [...head, ...(open.length ? await compute(open) : [])];
}

/** A whole-period figure: cached when the period is closed. */
function cachedTotal<T>(cache: ResultCache, key: unknown[], to: Date, closedUntil: Date, compute: () => Promise<T>): Promise<T> {
  return to <= closedUntil ? cache.read(key, compute) : compute();
}

export function activityTags(activities: string[] | null | undefined): string[] {
  if (!activities?.length) return [...ACTIVITY_TAGS];
  const unknown = activities.find((tag) => !(ACTIVITY_TAGS as string[]).includes(tag));
  if (unknown !== undefined) throw errors.badInput('activities', 'input.activity', { tag: unknown.slice(0, 40) });
  return [...new Set(activities)].sort();
}

export interface ActivityLine {
  tag: string;
  points: ActivityRow[];
  events: number;
  visitors: number;
}

export interface ActivitySeriesResult extends Period {
  tags: string[];
  points: ActivityRow[];
  totals: () => Promise<{ events: number; visitors: number }>;
  /** Each tag on its own, in the order of `tags`. */
  byActivity: () => Promise<ActivityLine[]>;
}

export async function activitySeries(
  deps: StatsDeps,
  input: PeriodInput & { activities?: string[] | null },
): Promise<ActivitySeriesResult> {
  const tags = activityTags(input.activities);
  const period = await seriesPeriod(deps.db, input);
  const { activity: closedUntil } = await watermarks(deps.db);
  const key = ['activity', tags, period.interval, period.timeZone];
  const points = await cachedRows(deps.cache, key, period.buckets, closedUntil, (buckets) =>
    activityRows(deps.db, buckets, tags),
  );
  return {
    ...period,
    tags,
    points,
    totals: () =>
      cachedTotal(deps.cache, [...key, 'total', period.from, period.to], period.to, closedUntil, () =>
        periodActivity(deps.db, period.from, period.to, tags),
      ),
    async byActivity() {
      const [rows, totals] = await Promise.all([
        cachedRows(deps.cache, [...key, 'byTag'], period.buckets, closedUntil, (buckets) =>
          activityRowsByTag(deps.db, buckets, tags),
        ),
        cachedTotal(deps.cache, [...key, 'byTag', 'total', period.from, period.to], period.to, closedUntil, () =>
          periodActivityByTag(deps.db, period.from, period.to, tags),
        ),
      ]);
      return tags.map((tag) => {
        const total = totals.find((row) => row.tag === tag);
        return {
          tag,
          points: rows
            .filter((row) => row.tag === tag)
            .map(({ start, end, events, visitors }) => ({ start, end, events, visitors })),
          events: total?.events ?? 0,
          visitors: total?.visitors ?? 0,
        };
      });
    },
  };
}

export interface AttendanceTotals {
  visits: number;
  visitors: number;
  averageVisitSeconds: number;
  bounceRate: number;
  signUps: number;
}

export interface AttendanceSeriesResult extends Period {
  points: AttendanceRow[];
  totals: () => Promise<AttendanceTotals>;
}

export async function attendanceSeries(deps: StatsDeps, input: PeriodInput): Promise<AttendanceSeriesResult> {
  const period = await seriesPeriod(deps.db, input);
  const { attendance: closedUntil } = await watermarks(deps.db);
  // Versioned by the row's shape: results cached before sign-ups were counted lack them.
  const key = ['attendance:2', period.interval, period.timeZone];
  const points = await cachedRows(deps.cache, key, period.buckets, closedUntil, (buckets) => attendanceRows(deps.db, buckets));
  return {
    ...period,
    points,
    totals: () =>
      cachedTotal(deps.cache, [...key, 'total', period.from, period.to], period.to, closedUntil, async () => {
        const [visits, signUps] = await Promise.all([
          periodVisits(deps.db, period.from, period.to),
          periodSignUps(deps.db, period.from, period.to),
        ]);
        return {
          visits: visits.visits,
          visitors: visits.visitors,
          averageVisitSeconds: ratio(visits.totalVisitSeconds, visits.visits),
          bounceRate: ratio(visits.bounces, visits.visits),
          signUps,
        };
      }),
  };
}

export type { ItemViews, OperationTotals };

export const ratio = (part: number, whole: number) => (whole ? part / whole : 0);

export interface Overview {
  from: Date;
  to: Date;
  visitors: number;
  visits: number;
  signedInVisits: number;
  events: number;
  operations: number;
  failedOperations: number;
  averageVisitSeconds: number;
  bounceRate: number;
  signUps: number;
  signUpShare: number;
  topActivities: { tag: string; events: number; visitors: number }[];
  topOperations: OperationTotals[];
  topKeyboards: ItemViews[];
  topBoxes: ItemViews[];
  topSwitches: ItemViews[];
}

export async function overview(deps: StatsDeps, input: { from: Date; to: Date; top: number }): Promise<Overview> {
  if (!Number.isInteger(input.top) || input.top < 1 || input.top > 50) {
    throw errors.badInput('top', 'input.pageSize', { max: 50 });
  }
  const { from, to } = overviewPeriod(input.from, input.to);
  const { attendance: closedUntil } = await watermarks(deps.db);
  return cachedTotal(deps.cache, ['overview:2', from, to, input.top], to, closedUntil, () =>
    computeOverview(deps.db, from, to, input.top),
  );
}

async function computeOverview(db: StatsDb, from: Date, to: Date, top: number): Promise<Overview> {
  const [activity, visits, byTag, operations, topKeyboards, topBoxes, topSwitches, signUps] = await Promise.all([
    periodActivity(db, from, to, null),
    periodVisits(db, from, to),
    periodActivityByTag(db, from, to, null),
    periodOperations(db, from, to),
    topItems(db, 'see_keyboard', from, to, top),
    topItems(db, 'see_box', from, to, top),
    topItems(db, 'see_switch', from, to, top),
    periodSignUps(db, from, to),
  ]);
  const operationCount = byTag.find((row) => row.tag === OPERATION)?.events ?? 0;
  return {
    from,
    to,
    visitors: activity.visitors,
    visits: visits.visits,
    signedInVisits: visits.signedInVisits,
    events: activity.events,
    operations: operationCount,
    failedOperations: operations.reduce((sum, row) => sum + row.errors, 0),
    averageVisitSeconds: ratio(visits.totalVisitSeconds, visits.visits),
    bounceRate: ratio(visits.bounces, visits.visits),
    signUps,
    signUpShare: ratio(visits.signUpVisits, visits.visits),
    topActivities: byTag.filter((row) => row.tag !== OPERATION).slice(0, top),
    topOperations: operations.slice(0, top),
    topKeyboards,
    topBoxes,
    topSwitches,
  };
}

/** Visitors with any event in the last five minutes (Plausible's "current visitors"). */
export async function visitorsNow(db: StatsDb, now = new Date()): Promise<number> {
  const [row] = await db.$queryRaw<{ visitors: number }[]>`
    SELECT count(DISTINCT visitor_id)::int AS visitors FROM events WHERE at > ${new Date(now.getTime() - 5 * 60_000)}::timestamptz`;
  return row!.visitors;
}
