import { translate } from '@keylab/errors';
import { ACTIVITY_TAGS } from '@keylab/messaging';
import { DateTimeScalar, isUuid, toGlobalId, URLScalar, type CompleteResolvers, type NodeType } from '@keylab/server';
import type {
  ActivityKindResolvers,
  ActivitySeriesResolvers,
  ActivityTagResolvers,
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
/** The ActivityTag values and the tags the domain stores: SEE_BOX is see_box (GraphQL maps them both ways). */
const ActivityTag = Object.fromEntries(ACTIVITY_TAGS.map((tag) => [tag.toUpperCase(), tag])) as ActivityTagResolvers;
/** Only tags the enum can name reach the API (the activity_kinds table could hold others). */
const isActivityTag = (tag: string) => (ACTIVITY_TAGS as string[]).includes(tag);

const listKnownKinds = async (ctx: StatsContext) => (await listActivityKinds(ctx.db)).filter((kind) => isActivityTag(kind.tag));
const kindsByTag = async (ctx: StatsContext) => new Map((await listKnownKinds(ctx)).map((kind) => [kind.tag, kind]));
/** A known tag's kind, titled by its tag when its row is missing; none for a tag the enum cannot name. */
const kindOf = (kinds: Map<string, ActivityKindRow>, tag: string): ActivityKindRow[] =>
  isActivityTag(tag) ? [kinds.get(tag) ?? { tag, titleEn: tag, titleRu: tag }] : [];
/** A catalogue item as the API names it: the global id of the UUID stored with its events (anything else as stored). */
const catalogueId = (type: NodeType, itemId: string) => (isUuid(itemId) ? toGlobalId(type, itemId) : itemId);
const topItems = (type: NodeType, rows: ItemViews[]) =>
  rows.map(({ itemId, views, visitors }) => ({ id: catalogueId(type, itemId), views, visitors }));
const withLocalStart = <P extends { start: Date }>(series: { timeZone: string; points: P[] }) =>
  series.points.map((point) => ({ ...point, localStart: localIso(point.start, series.timeZone) }));

const Query: Required<QueryResolvers> = {
  activityKinds: admin((_, ctx) => listKnownKinds(ctx)),
  statsIntervals: admin((_, ctx) =>
    (Object.entries(INTERVALS) as [Interval, (typeof INTERVALS)[Interval]][]).map(([interval, info]) => ({
      interval,
      title: translate(ctx.locale, intervalTitle(interval).key),
      lengthSeconds: info.seconds,
      seconds: info.seconds,
      maxPeriodSeconds: (MAX_BUCKETS - 1) * info.seconds,
    })),
  ),
  activitySeries: admin(({ input }, ctx) => activitySeries(deps(ctx), input)),
  attendanceSeries: admin(({ input }, ctx) => attendanceSeries(deps(ctx), input)),
  statsOverview: admin(async ({ input }, ctx) => {
    const [summary, now, kinds] = await Promise.all([overview(deps(ctx), input), visitorsNow(ctx.db), kindsByTag(ctx)]);
    return {
      ...summary,
      visitorsNow: now,
      topActivities: summary.topActivities.flatMap((row) => kindOf(kinds, row.tag).map((activity) => ({ ...row, activity }))),
      topKeyboards: topItems('Keyboard', summary.topKeyboards).map(({ id, ...row }) => ({
        ...row,
        keyboardId: id,
        keyboard: { id },
      })),
      topBoxes: topItems('Box', summary.topBoxes).map(({ id, ...row }) => ({ ...row, boxId: id, box: { id } })),
      topSwitches: topItems('Switch', summary.topSwitches).map(({ id, ...row }) => ({ ...row, switchId: id, switch: { id } })),
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
    return series.tags.flatMap((tag) => kindOf(kinds, tag));
  },
  points: withLocalStart,
  events: async (series) => (await series.totals()).events,
  visitors: async (series) => (await series.totals()).visitors,
  byActivity: async (series, _, ctx) => {
    const [lines, kinds] = await Promise.all([series.byActivity(), kindsByTag(ctx)]);
    return lines.flatMap((line) =>
      kindOf(kinds, line.tag).map((activity) => ({
        ...line,
        activity,
        points: withLocalStart({ timeZone: series.timeZone, points: line.points }),
      })),
    );
  },
};

const AttendanceSeries: CompleteResolvers<AttendanceSeriesResolvers, AttendanceSeriesResult> = {
  points: withLocalStart,
  visits: async (series) => (await series.totals()).visits,
  visitors: async (series) => (await series.totals()).visitors,
  averageVisitSeconds: async (series) => (await series.totals()).averageVisitSeconds,
  bounceRate: async (series) => (await series.totals()).bounceRate,
  signUps: async (series) => (await series.totals()).signUps,
};

const AttendancePoint: CompleteResolvers<AttendancePointResolvers, AttendancePointParent> = {
  averageVisitSeconds: (point) => (point.visits ? point.totalVisitSeconds / point.visits : 0),
};

const ActivityKind: CompleteResolvers<ActivityKindResolvers, ActivityKindRow> = {
  title: (kind, _, ctx) => (ctx.locale === 'ru' ? kind.titleRu : kind.titleEn),
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  URL: URLScalar,
  ActivityTag,
  Query,
  ActivitySeries,
  AttendanceSeries,
  AttendancePoint,
  ActivityKind,
};
