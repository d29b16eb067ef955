// The operations the dashboard sends, each with the shape of its answer. Named, so that the statistics
// list them by name among the top operations.

export interface SessionUser {
  id: string;
  nickname: string;
  /** The account's Role values (USER, ADMIN). */
  roles: ('USER' | 'ADMIN')[] | null;
}

export interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  user: SessionUser;
}

const AUTH_FIELDS = 'accessToken accessTokenExpiresAt user { id nickname roles }';

export const SIGN_IN = `mutation DashboardSignIn($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`;
export const REFRESH_SESSION = `mutation DashboardRefreshSession { refreshSession { ${AUTH_FIELDS} } }`;
export const SIGN_OUT = 'mutation DashboardSignOut { signOut { endedSessions } }';

/** An ActivityTag value: SEE_KEYBOARD, EDIT_BOX, … (CSV exports name their columns by the lower-case form). */
export type ActivityTag = string;

export interface ActivityKind {
  tag: ActivityTag;
  title: string;
}

export interface IntervalInfo {
  interval: string;
  title: string;
  lengthSeconds: number;
  maxPeriodSeconds: number;
}

/** Every statistics root field is null (with its error) when it fails, without taking the others along. */
export interface StatsMeta {
  activityKinds: ActivityKind[] | null;
  statsIntervals: IntervalInfo[] | null;
}

export const STATS_META =
  'query DashboardMeta { activityKinds { tag title } statsIntervals { interval title lengthSeconds maxPeriodSeconds } }';

/** What a series request carries; `activities: null` means every activity. */
export interface SeriesInput {
  from: string;
  to: string;
  interval: string;
  timeZone: string;
  activities: ActivityTag[] | null;
}

export interface ActivityPoint {
  start: string;
  events: number;
  visitors: number;
}

export interface ActivitySeries {
  interval: string;
  timeZone: string;
  events: number;
  visitors: number;
  points: ActivityPoint[];
  byActivity: { activity: ActivityKind; events: number; visitors: number; points: ActivityPoint[] }[];
}

export const ACTIVITY_SERIES = `query DashboardActivity($input: ActivitySeriesInput!) {
  activitySeries(input: $input) {
    interval timeZone events visitors
    points { start events visitors }
    byActivity { activity { tag title } events visitors points { start events visitors } }
  }
}`;

export interface AttendancePoint {
  start: string;
  visits: number;
  visitors: number;
  bounces: number;
  averageVisitSeconds: number;
}

export interface AttendanceSeries {
  interval: string;
  timeZone: string;
  visits: number;
  visitors: number;
  averageVisitSeconds: number;
  bounceRate: number;
  points: AttendancePoint[];
}

export const ATTENDANCE_SERIES = `query DashboardAttendance($input: SeriesInput!) {
  attendanceSeries(input: $input) {
    interval timeZone visits visitors averageVisitSeconds bounceRate
    points { start visits visitors bounces averageVisitSeconds }
  }
}`;

export interface ItemViews {
  id: string;
  /** Null when the item was deleted, or when its title could not be fetched (see the errors). */
  item: { title: string } | null;
  views: number;
  visitors: number;
}

export interface StatsOverview {
  signedInVisits: number;
  signUps: number;
  /** Share of the period's visits in which the visitor signed up, 0 to 1. */
  signUpShare: number;
  operations: number;
  failedOperations: number;
  topActivities: { activity: ActivityKind; events: number; visitors: number }[];
  topOperations: { name: string | null; count: number; errors: number; averageDurationMs: number }[];
  topKeyboards: ItemViews[];
  topBoxes: ItemViews[];
  topSwitches: ItemViews[];
}

/** The top lists an overview shows, by their field. */
export const TOP_ITEM_LISTS = ['topKeyboards', 'topBoxes', 'topSwitches'] as const;
export type TopItemList = (typeof TOP_ITEM_LISTS)[number];

export const TOP_LENGTH = 10;

/** The subgraph that fills in the items' titles of the top lists (the catalogue). */
export const TITLES_SERVICE = 'keyboards';

export const STATS_OVERVIEW = `query DashboardOverview($input: OverviewInput!) {
  statsOverview(input: $input) {
    signedInVisits signUps signUpShare operations failedOperations
    topActivities { activity { tag title } events visitors }
    topOperations { name count errors averageDurationMs }
    topKeyboards { id: keyboardId item: keyboard { title } views visitors }
    topBoxes { id: boxId item: box { title } views visitors }
    topSwitches { id: switchId item: switch { title } views visitors }
  }
}`;

export const VISITORS_NOW = 'query DashboardVisitorsNow($input: OverviewInput!) { statsOverview(input: $input) { visitorsNow } }';

export type ExportSeries = 'ACTIVITY' | 'ATTENDANCE';

export const STATS_EXPORT = 'query DashboardExport($input: StatsExportInput!) { statsExport(input: $input) { url expiresAt } }';
