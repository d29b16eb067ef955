// What the dashboard tests read from the page and from the API, side by side.
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { SeriesInput } from '../admin/api/operations';
import type { ChartName } from '../admin/debug';

export interface PlottedChart {
  labels: string[];
  data: (number | null)[][];
}

export interface Plotted {
  input: SeriesInput;
  charts: Partial<Record<ChartName, PlottedChart>>;
}

/** The charts on screen and the input the page sent for them, from the page's debug handle. */
export function readPlotted(page: Page): Promise<Plotted> {
  return page.evaluate(() => {
    const handle = window.keylabDashboard;
    return {
      input: handle.lastInput!,
      charts: Object.fromEntries(
        Object.entries(handle.charts).map(([name, chart]) => [
          name,
          {
            labels: chart.series.slice(1).map((series) => String(series.label)),
            data: chart.data.map((values) => Array.from(values as ArrayLike<number | null>)),
          },
        ]),
      ),
    };
  });
}

/** Runs an action that loads the dashboard again and waits until every panel has answered and been drawn. */
export async function settleAfter(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => window.keylabDashboard.settledLoads);
  await action();
  await page.waitForFunction((count) => window.keylabDashboard.settled && window.keylabDashboard.settledLoads > count, before);
}

/** Reloads the page and waits until the new page has drawn everything once. */
export async function reloadSettled(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => window.keylabDashboard.settled && window.keylabDashboard.settledLoads > 0);
}

export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form button[type=submit]').click();
}

interface ActivityPoint {
  start: string;
  localStart: string;
  events: number;
  visitors: number;
}

export interface ApiSeries {
  activity: {
    interval: string;
    points: ActivityPoint[];
    byActivity: { activity: { tag: string; title: string }; points: ActivityPoint[] }[];
  };
  attendance: {
    interval: string;
    points: {
      start: string;
      localStart: string;
      visits: number;
      visitors: number;
      bounces: number;
      averageVisitSeconds: number;
    }[];
  };
}

export const ACTIVITY_QUERY = `query ($input: ActivitySeriesInput!) { activitySeries(input: $input) {
  interval points { start localStart events visitors }
  byActivity { activity { tag title } points { start localStart events visitors } } } }`;
export const ATTENDANCE_QUERY = `query ($input: SeriesInput!) { attendanceSeries(input: $input) {
  interval points { start localStart visits visitors bounces averageVisitSeconds } } }`;

const seconds = (points: { start: string }[]) => points.map((point) => Date.parse(point.start) / 1000);

/** What the four charts must hold for these series: one line per activity, gaps where there were no visits. */
export function expectedCharts(
  api: ApiSeries,
  labels: { visits: string; visitors: string; bounceRate: string; averageVisit: string },
) {
  const { activity, attendance } = api;
  const activityLabels = activity.byActivity.map((line) => line.activity.title);
  const x = seconds(activity.points);
  const y = seconds(attendance.points);
  return {
    activityEvents: { labels: activityLabels, data: [x, ...activity.byActivity.map((line) => line.points.map((p) => p.events))] },
    activityVisitors: {
      labels: activityLabels,
      data: [x, ...activity.byActivity.map((line) => line.points.map((p) => p.visitors))],
    },
    attendance: {
      labels: [labels.visits, labels.visitors],
      data: [y, attendance.points.map((p) => p.visits), attendance.points.map((p) => p.visitors)],
    },
    bounceAndDuration: {
      labels: [labels.bounceRate, labels.averageVisit],
      data: [
        y,
        attendance.points.map((p) => (p.visits ? p.bounces / p.visits : null)),
        attendance.points.map((p) => (p.visits ? p.averageVisitSeconds : null)),
      ],
    },
  };
}

/** The series answers the page itself received, each with the input it asked for. */
export interface SeriesAnswers {
  /** The page's own activity and attendance answers for this input, once both have arrived. */
  for(input: SeriesInput): Promise<ApiSeries>;
}

/**
 * Records what the dashboard's own series requests got back. A period still open changes between any
 * two reads, so for one the plotted values are compared with the very answers the page drew from.
 */
export function recordSeriesAnswers(context: BrowserContext): SeriesAnswers {
  const answers = new Map<string, unknown>();
  const keyOf = (name: string, input: unknown) => `${name} ${JSON.stringify(input)}`;
  context.on('response', async (response) => {
    if (!response.url().endsWith('/graphql') || response.request().method() !== 'POST') return;
    const request = response.request().postDataJSON() as { query?: string; variables?: { input?: unknown } } | null;
    const name = /^query (DashboardActivity|DashboardAttendance)\b/.exec(request?.query ?? '')?.[1];
    if (!name) return;
    const body = (await response.json()) as { data?: Record<string, unknown> };
    answers.set(keyOf(name, request!.variables?.input), Object.values(body.data ?? {})[0]);
  });
  return {
    async for(input) {
      const { from, to, interval, timeZone } = input;
      const activityKey = keyOf('DashboardActivity', input);
      const attendanceKey = keyOf('DashboardAttendance', { from, to, interval, timeZone });
      await expect.poll(() => answers.has(activityKey) && answers.has(attendanceKey)).toBe(true);
      return { activity: answers.get(activityKey), attendance: answers.get(attendanceKey) } as ApiSeries;
    },
  };
}

/** The charts equal, bucket by bucket, the answers the page received for the input it shows. */
export async function expectPlottedAsAnswered(
  page: Page,
  answers: SeriesAnswers,
  expected: (api: ApiSeries) => Plotted['charts'],
): Promise<{ plotted: Plotted; api: ApiSeries }> {
  const plotted = await readPlotted(page);
  const api = await answers.for(plotted.input);
  expect(plotted.charts).toEqual(expected(api));
  return { plotted, api };
}

/**
 * Other test files write statistics all the time: a visit of theirs that began inside the period may still
 * be growing, or an event of theirs still on its way. So until the deadline, a difference sends the page
 * to load its data again and both are read again; after it, the last difference fails the test.
 */
export async function expectPlottedToMatch(
  page: Page,
  fetchApi: (input: SeriesInput) => Promise<ApiSeries>,
  expected: (api: ApiSeries) => Plotted['charts'],
  deadlineMs = 15_000,
): Promise<{ plotted: Plotted; api: ApiSeries }> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const plotted = await readPlotted(page);
    const api = await fetchApi(plotted.input);
    const wanted = expected(api);
    if (isDeepStrictEqual(plotted.charts, wanted) || Date.now() > deadline) {
      expect(plotted.charts).toEqual(wanted);
      return { plotted, api };
    }
    await settleAfter(page, () => page.locator('button.refresh').click());
  }
}
