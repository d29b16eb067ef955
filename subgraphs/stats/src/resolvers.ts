import type { Locale } from '@keylab/errors';
import { DateTimeScalar, type RequestContext } from '@keylab/server';
import type { StatsDb } from './db/client';
import { requireAdmin } from './domain/access';
import { listActivityKinds } from './domain/activities';
import type { ResultCache } from './domain/cache';
import { EXPORT_PATH, EXPORT_TTL_MS, signExport } from './domain/export';
import { INTERVALS, localIso, MAX_BUCKETS, type Interval, type PeriodInput } from './domain/period';
import {
  activitySeries,
  activityTags,
  attendanceSeries,
  overview,
  visitorsNow,
  type ActivitySeriesResult,
  type AttendanceSeriesResult,
  type ItemViews,
} from './domain/statistics';

export interface StatsContext extends RequestContext {
  db: StatsDb;
  cache: ResultCache;
  exports: { publicUrl: string; secret: string };
}

type SeriesArgs = { input: PeriodInput & { activities?: string[] | null } };
type ExportArgs = { input: SeriesArgs['input'] & { series: 'ACTIVITY' | 'ATTENDANCE' } };

const admin =
  <A, R>(resolve: (args: A, ctx: StatsContext) => R) =>
  (_: unknown, args: A, ctx: StatsContext) => {
    requireAdmin(ctx);
    return resolve(args, ctx);
  };
const deps = (ctx: StatsContext) => ({ db: ctx.db, cache: ctx.cache, locale: ctx.locale });
const titled = (locale: Locale, value: { en: string; ru: string }) => value[locale];
const kindsByTag = async (ctx: StatsContext) => new Map((await listActivityKinds(ctx.db)).map((kind) => [kind.tag, kind]));
const withLocalStart = (series: { timeZone: string; points: { start: Date }[] }) =>
  series.points.map((point) => ({ ...point, localStart: localIso(point.start, series.timeZone) }));
const views = (field: string) => (row: ItemViews) => ({
  [`${field}Id`]: row.itemId,
  [field]: { id: row.itemId },
  views: row.views,
  visitors: row.visitors,
});

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    activityKinds: admin((_: unknown, ctx) => listActivityKinds(ctx.db)),
    statsIntervals: admin((_: unknown, ctx) =>
      (Object.entries(INTERVALS) as [Interval, (typeof INTERVALS)[Interval]][]).map(([interval, info]) => ({
        interval,
        title: titled(ctx.locale, info),
        seconds: info.seconds,
        maxPeriodSeconds: (MAX_BUCKETS - 1) * info.seconds,
      })),
    ),
    activitySeries: admin(({ input }: SeriesArgs, ctx) => activitySeries(deps(ctx), input)),
    attendanceSeries: admin(({ input }: SeriesArgs, ctx) => attendanceSeries(deps(ctx), input)),
    statsOverview: admin(async ({ input }: { input: { from: Date; to: Date; top: number } }, ctx) => {
      const [summary, now] = await Promise.all([overview(deps(ctx), input), visitorsNow(ctx.db)]);
      const kinds = await kindsByTag(ctx);
      return {
        ...summary,
        visitorsNow: now,
        topActivities: summary.topActivities.map((row) => ({
          ...row,
          activity: kinds.get(row.tag) ?? { tag: row.tag, titleEn: row.tag, titleRu: row.tag },
        })),
        topKeyboards: summary.topKeyboards.map(views('keyboard')),
        topBoxes: summary.topBoxes.map(views('box')),
        topSwitches: summary.topSwitches.map(views('switch')),
      };
    }),
    statsExport: admin(async ({ input }: ExportArgs, ctx) => {
      // Validate now, so that a bad request fails here rather than when the link is opened.
      const series: ActivitySeriesResult | AttendanceSeriesResult =
        input.series === 'ACTIVITY' ? await activitySeries(deps(ctx), input) : await attendanceSeries(deps(ctx), input);
      const exp = Date.now() + EXPORT_TTL_MS;
      const token = signExport(ctx.exports.secret, {
        series: input.series,
        from: input.from.toISOString(),
        to: input.to.toISOString(),
        interval: series.interval,
        timeZone: series.timeZone,
        activities: input.series === 'ACTIVITY' ? activityTags(ctx.locale, input.activities) : null,
        exp,
      });
      return { url: `${ctx.exports.publicUrl}${EXPORT_PATH}/${token}`, expiresAt: new Date(exp) };
    }),
  },
  ActivitySeries: {
    activities: async (series: ActivitySeriesResult, _: unknown, ctx: StatsContext) => {
      const kinds = await kindsByTag(ctx);
      return series.tags.map((tag) => kinds.get(tag)).filter(Boolean);
    },
    points: withLocalStart,
    events: async (series: ActivitySeriesResult) => (await series.totals()).events,
    visitors: async (series: ActivitySeriesResult) => (await series.totals()).visitors,
    byActivity: async (series: ActivitySeriesResult, _: unknown, ctx: StatsContext) => {
      const [lines, kinds] = await Promise.all([series.byActivity(), kindsByTag(ctx)]);
      return lines
        .filter((line) => kinds.has(line.tag))
        .map((line) => ({
          ...line,
          activity: kinds.get(line.tag),
          points: withLocalStart({ timeZone: series.timeZone, points: line.points }),
        }));
    },
  },
  AttendanceSeries: {
    points: withLocalStart,
    visits: async (series: AttendanceSeriesResult) => (await series.totals()).visits,
    visitors: async (series: AttendanceSeriesResult) => (await series.totals()).visitors,
    averageVisitSeconds: async (series: AttendanceSeriesResult) => (await series.totals()).averageVisitSeconds,
    bounceRate: async (series: AttendanceSeriesResult) => (await series.totals()).bounceRate,
  },
  AttendancePoint: {
    averageVisitSeconds: (point: { visits: number; totalVisitSeconds: number }) =>
      point.visits ? point.totalVisitSeconds / point.visits : 0,
  },
  ActivityKind: {
    title: (kind: { titleEn: string; titleRu: string }, _: unknown, ctx: StatsContext) =>
      ctx.locale === 'ru' ? kind.titleRu : kind.titleEn,
  },
};
