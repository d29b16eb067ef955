import { translate } from '@keylab/errors';
import { DateTimeScalar, type CompleteResolvers } from '@keylab/server';
import type {
  ActivityKindResolvers,
  ActivitySeriesResolvers,
  AttendancePointResolvers,
  AttendanceSeriesResolvers,
  QueryResolvers,
  Resolvers,
} from './__generated__/resolvers-types';
import type { StatsContext } from './context';
import { requireAdmin } from './domain/access';
import { listActivityKinds, type ActivityKindRow } from './domain/activities';
import { EXPORT_PATH, EXPORT_TTL_MS, signExport } from './domain/export';
import { intervalTitle, INTERVALS, localIso, MAX_BUCKETS, type Interval } from './domain/period';
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
import type { AttendancePointParent } from './mappers';

/** Every statistics query is for administrators. */
const admin =
  <A, R>(resolve: (args: A, ctx: StatsContext) => R) =>
  (_: unknown, args: A, ctx: StatsContext) => {
    requireAdmin(ctx);
    return resolve(args, ctx);
  };
const deps = (ctx: StatsContext) => ({ db: ctx.db, cache: ctx.cache });
const kindsByTag = async (ctx: StatsContext) => new Map((await listActivityKinds(ctx.db)).map((kind) => [kind.tag, kind]));
const withLocalStart = <P extends { start: Date }>(series: { timeZone: string; points: P[] }) =>
  series.points.map((point) => ({ ...point, localStart: localIso(point.start, series.timeZone) }));
const unknownKind = (tag: string): ActivityKindRow => ({ tag, titleEn: tag, titleRu: tag });

const Query: Required<QueryResolvers> = {
  activityKinds: admin((_, ctx) => listActivityKinds(ctx.db)),
  statsIntervals: admin((_, ctx) =>
    (Object.entries(INTERVALS) as [Interval, (typeof INTERVALS)[Interval]][]).map(([interval, info]) => ({
      interval,
      title: translate(ctx.locale, intervalTitle(interval).key),
      seconds: info.seconds,
      maxPeriodSeconds: (MAX_BUCKETS - 1) * info.seconds,
    })),
  ),
  activitySeries: admin(({ input }, ctx) => activitySeries(deps(ctx), input)),
  attendanceSeries: admin(({ input }, ctx) => attendanceSeries(deps(ctx), input)),
  statsOverview: admin(async ({ input }, ctx) => {
    const [summary, now, kinds] = await Promise.all([overview(deps(ctx), input), visitorsNow(ctx.db), kindsByTag(ctx)]);
    const views = (row: ItemViews) => ({ id: row.itemId, views: row.views, visitors: row.visitors });
    return {
      ...summary,
      visitorsNow: now,
      topActivities: summary.topActivities.map((row) => ({ ...row, activity: kinds.get(row.tag) ?? unknownKind(row.tag) })),
      topKeyboards: summary.topKeyboards.map(views).map(({ id, ...row }) => ({ ...row, keyboardId: id, keyboard: { id } })),
      topBoxes: summary.topBoxes.map(views).map(({ id, ...row }) => ({ ...row, boxId: id, box: { id } })),
      topSwitches: summary.topSwitches.map(views).map(({ id, ...row }) => ({ ...row, switchId: id, switch: { id } })),
    };
  }),
  statsExport: admin(async ({ input }, ctx) => {
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
      activities: input.series === 'ACTIVITY' ? activityTags(input.activities) : null,
      exp,
    });
    return { url: `${ctx.exports.publicUrl}${EXPORT_PATH}/${token}`, expiresAt: new Date(exp) };
  }),
};

const ActivitySeries: CompleteResolvers<ActivitySeriesResolvers, ActivitySeriesResult> = {
  activities: async (series, _, ctx) => {
    const kinds = await kindsByTag(ctx);
    return series.tags.flatMap((tag) => kinds.get(tag) ?? []);
  },
  points: withLocalStart,
  events: async (series) => (await series.totals()).events,
  visitors: async (series) => (await series.totals()).visitors,
  byActivity: async (series, _, ctx) => {
    const [lines, kinds] = await Promise.all([series.byActivity(), kindsByTag(ctx)]);
    return lines.flatMap((line) => {
      const activity = kinds.get(line.tag);
      if (!activity) return [];
      return [{ ...line, activity, points: withLocalStart({ timeZone: series.timeZone, points: line.points }) }];
    });
  },
};

const AttendanceSeries: CompleteResolvers<AttendanceSeriesResolvers, AttendanceSeriesResult> = {
  points: withLocalStart,
  visits: async (series) => (await series.totals()).visits,
  visitors: async (series) => (await series.totals()).visitors,
  averageVisitSeconds: async (series) => (await series.totals()).averageVisitSeconds,
  bounceRate: async (series) => (await series.totals()).bounceRate,
};

const AttendancePoint: CompleteResolvers<AttendancePointResolvers, AttendancePointParent> = {
  averageVisitSeconds: (point) => (point.visits ? point.totalVisitSeconds / point.visits : 0),
};

const ActivityKind: CompleteResolvers<ActivityKindResolvers, ActivityKindRow> = {
  title: (kind, _, ctx) => (ctx.locale === 'ru' ? kind.titleRu : kind.titleEn),
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  ActivitySeries,
  AttendanceSeries,
  AttendancePoint,
  ActivityKind,
};
