// The admin statistics dashboard (/admin/) in headless Chromium, against the whole supergraph.
//
// Other test files write statistics at "now" all the time, and a visit that began in a period keeps
// growing after it, so a recent period changes between any two reads. Comparisons with a fresh API
// answer therefore use a stretch of the past that only this file writes to (scripted events); for the
// events this file sends through the gateway, the charts are compared with the very answers the page
// received, which must hold those events.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fromGlobalId } from '@keylab/server';
import { freePort, launchBrowser, offlineContext, waitFor } from '@keylab/testing';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import type { SeriesInput } from '../admin/api/operations';
import {
  ACTIVITY_QUERY,
  ATTENDANCE_QUERY,
  expectedCharts,
  expectPlottedAsAnswered,
  expectPlottedToMatch,
  readPlotted,
  recordSeriesAnswers,
  reloadSettled,
  settleAfter,
  signInThroughForm,
  type ApiSeries,
} from './dashboard-page';
import { activity, clearVisitor, clearWindow, operation, publishAndWait } from '@keylab/test-support/stats';

const run = crypto.randomUUID().slice(0, 8);
const PASSWORD = `dashboard-${run}-password`;
const ENGLISH_LABELS = { visits: 'Visits', visitors: 'Visitors', bounceRate: 'Bounce rate', averageVisit: 'Average visit' };
const RUSSIAN_LABELS = { visits: 'Визиты', visitors: 'Посетители', bounceRate: 'Доля отказов', averageVisit: 'Средний визит' };

/** This file's own stretch of the past, and the ten hours of it the scripted views look at. */
const WINDOW = { from: '2024-10-14T00:00:00.000Z', to: '2024-10-17T00:00:00.000Z' };
const D = '2024-10-15';
const SCRIPTED = { from: `${D}T06:00:00.000Z`, to: `${D}T16:00:00.000Z` };
const scriptedVisitor = (name: string) => `dashboard-${name}-${run}`;
const [A, B, C] = ['a', 'b', 'c'].map(scriptedVisitor) as [string, string, string];
/** The visitor of this file's own requests through the gateway. */
const VISITOR = scriptedVisitor('gateway');

let stack: Stack;
let browser: Browser;
let origin: string;
let admin: TestUser;
let plainUser: TestUser;
let limitedUser: TestUser;
let keyboards: { id: string; title: string }[];
/** When this file began to send its own events through the gateway. */
let ownViewsFrom: string;

/** Per browser context: uncaught page errors, CSP violations and requests to anywhere but this machine. */
const pageProblems = new Map<BrowserContext, string[]>();

async function openPage(
  options: { locale?: string; timezoneId?: string } = {},
  path = '/admin/',
): Promise<{ page: Page; context: BrowserContext }> {
  const { context, blocked } = await offlineContext(browser, { locale: 'en-US', timezoneId: 'UTC', ...options });
  const problems = blocked;
  pageProblems.set(context, problems);
  context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) problems.push(`csp: ${message.text()}`);
  });
  page.setDefaultTimeout(10_000);
  await page.goto(`${origin}${path}`);
  return { page, context };
}

/** Closes a context whose pages must have run cleanly: every script and style from this origin, no errors. */
async function closeCleanly(context: BrowserContext | undefined): Promise<void> {
  if (!context) return;
  await context.close();
  expect(pageProblems.get(context)).toEqual([]);
}

const customPeriodPath = (period: { from: string; to: string }) => `/admin/?period=custom&from=${period.from}&to=${period.to}`;

/** An admin's page showing this period, signed in through the form. */
async function signedInAdminPage(period: { from: string; to: string }, options: { locale?: string; timezoneId?: string } = {}) {
  const opened = await openPage(options, customPeriodPath(period));
  await settleAfter(opened.page, () => signInThroughForm(opened.page, admin.email, PASSWORD));
  return opened;
}

async function apiSeries(input: SeriesInput, language = 'en'): Promise<ApiSeries> {
  const headers = { 'accept-language': language };
  const { from, to, interval, timeZone } = input;
  const [activitySeries, attendanceSeries] = await Promise.all([
    stack.graphql<{ activitySeries: ApiSeries['activity'] }>(ACTIVITY_QUERY, {
      variables: { input },
      token: admin.token,
      headers,
    }),
    stack.graphql<{ attendanceSeries: ApiSeries['attendance'] }>(ATTENDANCE_QUERY, {
      variables: { input: { from, to, interval, timeZone } },
      token: admin.token,
      headers,
    }),
  ]);
  expect(activitySeries.errors).toBeUndefined();
  expect(attendanceSeries.errors).toBeUndefined();
  return { activity: activitySeries.data!.activitySeries, attendance: attendanceSeries.data!.attendanceSeries };
}

const englishCharts = (api: ApiSeries) => expectedCharts(api, ENGLISH_LABELS);
/** A page's text as it becomes: React renders once the answer has arrived. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });
const at = (iso: string) => Date.parse(iso) / 1000;

/** The value a chart plots for one line at the bucket starting at `start`. */
function plottedAt(chart: { labels: string[]; data: (number | null)[][] }, label: string, start: string) {
  const index = chart.data[0]!.indexOf(at(start));
  expect(index).toBeGreaterThanOrEqual(0);
  return chart.data[1 + chart.labels.indexOf(label)]![index];
}

beforeAll(async () => {
  const port = await freePort();
  stack = await startStack({
    gatewayEnv: { PORT: String(port) },
    statsEnv: { EXPORTS_PUBLIC_URL: `http://127.0.0.1:${port}` },
  });
  origin = new URL(stack.gatewayUrl).origin;
  [admin, plainUser, limitedUser, browser] = await Promise.all([
    stack.createUser(['user', 'admin'], { password: PASSWORD }),
    stack.createUser(['user'], { password: PASSWORD }),
    stack.createUser(['user'], { password: PASSWORD }),
    launchBrowser(),
  ]);

  // This file's own events through the gateway: a catalogue page, then each keyboard on it (see_keyboard).
  ownViewsFrom = new Date().toISOString();
  const headers = { 'x-visitor-id': VISITOR };
  const catalogue = await stack.graphql<{
    keyboards: { nodes: { id: string; title: string }[] };
    boxes: { nodes: { id: string }[] };
    switches: { nodes: { id: string }[] };
  }>(
    'query DashboardTestCatalogue { keyboards(first: 5) { nodes { id title } } boxes(first: 1) { nodes { id } } switches(first: 1) { nodes { id } } }',
    {
      headers,
    },
  );
  keyboards = catalogue.data!.keyboards.nodes;
  expect(keyboards.length).toBeGreaterThan(1);
  for (const { id } of keyboards) {
    await stack.graphql('query DashboardTestKeyboard($id: ID!) { keyboard(id: $id) { id title } }', {
      variables: { id },
      headers,
    });
  }
  const ownViews = () => stack.stats.db.event.count({ where: { visitorId: VISITOR, tag: 'see_keyboard' } });
  await waitFor(async () => (await ownViews()) >= keyboards.length, 20_000);

  // The scripted past: A visits twice (keyboard views), B signed in (a box), C bounces (a switch). Events
  // carry the catalogue's own UUIDs; the API gives out global ids.
  const stored = (id: string) => fromGlobalId(id)?.id ?? id;
  const [box] = catalogue.data!.boxes.nodes;
  const [aSwitch] = catalogue.data!.switches.nodes;
  const userB = crypto.randomUUID();
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  await publishAndWait(stack, [
    operation(`${D}T08:50:00.000Z`, { visitor: A }),
    activity(`${D}T08:55:00.000Z`, 'see_keyboard', { visitor: A }, stored(keyboards[0]!.id)),
    operation(`${D}T09:20:00.000Z`, { visitor: A }),
    activity(`${D}T09:25:00.000Z`, 'see_keyboard', { visitor: A }, stored(keyboards[0]!.id)),
    operation(`${D}T09:40:00.000Z`, { visitor: B, user: userB }),
    activity(`${D}T09:45:00.000Z`, 'see_box', { visitor: B, user: userB }, stored(box!.id)),
    operation(`${D}T10:10:00.000Z`, { visitor: B, user: userB }),
    operation(`${D}T11:05:00.000Z`, { visitor: C }),
    activity(`${D}T11:05:30.000Z`, 'see_switch', { visitor: C }, stored(aSwitch!.id)),
    operation(`${D}T13:00:00.000Z`, { visitor: A }),
    activity(`${D}T13:01:00.000Z`, 'see_keyboard', { visitor: A }, stored(keyboards[1]!.id)),
  ]);
});

afterAll(async () => {
  await browser?.close();
  if (stack) {
    await clearWindow(stack, WINDOW.from, WINDOW.to);
    await clearVisitor(stack, VISITOR);
    await stack.close();
  }
});

describe('accounts', () => {
  it('refuses a signed-in user without the admin role, clearly, and lets them sign out', async () => {
    const { page, context } = await openPage();
    await signInThroughForm(page, plainUser.email, PASSWORD);
    const refusal = page.locator('[data-testid=not-admin]');
    await eventually(() => refusal.textContent()).toContain('No access to the statistics');
    await eventually(() => refusal.textContent()).toContain(`The account ${plainUser.nickname} is not an administrator`);
    expect(await page.evaluate(() => Object.keys(window.keylabDashboard.charts))).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name=email]').waitFor();
    await closeCleanly(context);
  });

  it('shows a wrong password, then RATE_LIMITED with when to retry after ten wrong sign-ins', async () => {
    const { page, context } = await openPage();
    await signInThroughForm(page, limitedUser.email, 'not-the-password');
    await eventually(() => page.locator('[data-code=UNAUTHENTICATED]').textContent()).toBe('The email or the password is wrong.');
    for (let attempt = 2; attempt <= 10; attempt++) {
      const answer = await stack.graphql('mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }', {
        variables: { input: { email: limitedUser.email, password: 'not-the-password' } },
      });
      expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    await signInThroughForm(page, limitedUser.email, PASSWORD);
    await eventually(() => page.locator('[data-code=RATE_LIMITED]').textContent()).toMatch(
      /^Too many attempts\. Try again in \d+ s\. You can try again at .+\.$/,
    );
    await closeCleanly(context);
  });
});

describe('a period of scripted statistics', () => {
  let page: Page;
  let context: BrowserContext;
  afterAll(() => closeCleanly(context));

  it('plots what the API returns for the input the page sent, with headline numbers and top lists', async () => {
    ({ page, context } = await signedInAdminPage(SCRIPTED));
    const { plotted } = await expectPlottedToMatch(page, apiSeries, englishCharts);
    // The browser's zone (UTC here) by default, every activity, AUTO (15-minute buckets for ten hours).
    expect(plotted.input).toEqual({ ...SCRIPTED, interval: 'AUTO', timeZone: 'UTC', activities: null });
    expect(Object.keys(plotted.charts).sort()).toEqual(['activityEvents', 'activityVisitors', 'attendance', 'bounceAndDuration']);
    expect(plottedAt(plotted.charts.activityEvents!, 'Keyboard viewed', `${D}T08:45:00.000Z`)).toBe(1);
    expect(plottedAt(plotted.charts.activityEvents!, 'Keyboard viewed', `${D}T09:15:00.000Z`)).toBe(1);

    const figure = (name: string) => page.locator(`[data-figure=${name}] .figure-value`).textContent();
    expect([
      await figure('visits'),
      await figure('visitors'),
      await figure('activityEvents'),
      await figure('signedInVisits'),
    ]).toEqual(['4', '3', '5', '1']);
    expect(await figure('bounceRate')).toBe('50%');
    const topKeyboards = page.locator('[data-list=topKeyboards] tbody tr');
    expect(await topKeyboards.allInnerTexts()).toEqual([`${keyboards[0]!.title}\t2\t1`, `${keyboards[1]!.title}\t1\t1`]);
    await eventually(() => page.locator('[data-testid=visitors-now] strong').textContent()).toMatch(/^\d{1,3}(,\d{3})*$/);
  });

  it('draws again in another zone and bucket, again equal to the API, in that zone’s hours', async () => {
    await settleAfter(page, () => page.locator('select[name=timeZone]').selectOption('Asia/Kolkata'));
    await settleAfter(page, () => page.locator('select[name=bucket]').selectOption('HOUR'));
    const { plotted } = await expectPlottedToMatch(page, apiSeries, englishCharts);
    expect(plotted.input).toEqual({ ...SCRIPTED, interval: 'HOUR', timeZone: 'Asia/Kolkata', activities: null });
    const query = new URL(page.url()).searchParams;
    expect([query.get('period'), query.get('tz'), query.get('bucket')]).toEqual(['custom', 'Asia/Kolkata', 'HOUR']);
    // Kolkata is 5:30 ahead of UTC: its hours start at half past a UTC hour, so both views of A fall in one.
    const starts = plotted.charts.attendance!.data[0]!;
    expect(starts.every((start) => start! % 3600 === 1800)).toBe(true);
    expect(plottedAt(plotted.charts.activityEvents!, 'Keyboard viewed', `${D}T08:30:00.000Z`)).toBe(2);
    expect(plottedAt(plotted.charts.attendance!, 'Visits', `${D}T08:30:00.000Z`)).toBe(1);

    // The legend labels the bucket under the cursor in Kolkata time.
    const label = await page.evaluate(
      (start) => {
        const chart = window.keylabDashboard.charts.activityEvents!;
        chart.setCursor({ left: chart.valToPos(start, 'x'), top: 10 });
        return chart.root.querySelector('.u-series:first-child .u-value')!.textContent;
      },
      at(`${D}T08:30:00.000Z`),
    );
    expect(label).toBe('Oct 15, 2024, 14:00');
  });

  it('downloads the period as CSV whose rows are the series', async () => {
    const { input } = await readPlotted(page);
    const api = await apiSeries(input);
    // Column by column: the chosen activities together, then each on its own (named by the stored,
    // lower-case tag); the attendance figures.
    const expected = {
      ACTIVITY: api.activity.points.map((p, i) => ({
        bucket_start: p.localStart,
        events: p.events,
        visitors: p.visitors,
        ...Object.fromEntries(
          api.activity.byActivity.flatMap((line) => [
            [`${line.activity.tag.toLowerCase()}_events`, line.points[i]!.events],
            [`${line.activity.tag.toLowerCase()}_visitors`, line.points[i]!.visitors],
          ]),
        ),
      })),
      ATTENDANCE: api.attendance.points.map((p) => ({
        bucket_start: p.localStart,
        visits: p.visits,
        visitors: p.visitors,
        bounces: p.bounces,
      })),
    };
    for (const [index, series] of (['ACTIVITY', 'ATTENDANCE'] as const).entries()) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.export button').nth(index).click()]);
      expect(download.suggestedFilename()).toBe(`keylab-${series.toLowerCase()}-2024-10-15-hour.csv`);
      const [header, ...lines] = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
      const columns = header!.split(',');
      const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i]!, cell])));
      const wanted = expected[series];
      expect(rows.map((row) => Object.fromEntries(Object.keys(wanted[0]!).map((column) => [column, row[column]])))).toEqual(
        wanted.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, String(value)]))),
      );
      // Buckets in Kolkata time, one after another.
      expect(rows[0]!.bucket_start).toMatch(/\+05:30$/);
      expect(rows.slice(1).map((row) => row.bucket_start)).toEqual(rows.slice(0, -1).map((row) => row.bucket_end));
      // The link the page followed is on the gateway's origin and answers text/csv.
      const link = await page.evaluate(() => window.keylabDashboard.exportUrl!);
      expect(new URL(link).origin).toBe(origin);
      expect((await fetch(link)).headers.get('content-type')).toMatch(/^text\/csv/);
    }
  });

  it('keeps the session and the view across a reload (refresh cookie)', async () => {
    const before = await readPlotted(page);
    await reloadSettled(page);
    await eventually(() => page.locator('[data-testid=signed-in-as]').textContent()).toContain(admin.nickname);
    const after = await readPlotted(page);
    expect(after.input).toEqual(before.input);
    expect(after.charts).toEqual(before.charts);
  });

  it('sends a custom period that ends before it starts and shows the refusal naming the field', async () => {
    const to = await page.locator('input[name=to]').inputValue();
    const later = new Date(Date.parse(`${to}Z`) + 3_600_000).toISOString().slice(0, 19);
    await page.locator('input[name=from]').fill(later);
    await settleAfter(page, () => page.locator('button.apply').click());
    const refusal = page.locator('[data-testid=input-errors] [data-code=BAD_USER_INPUT]');
    expect(await refusal.getAttribute('data-field')).toBe('to');
    expect(await refusal.textContent()).toBe('To: Invalid value of to: must be later than from.');
    expect(await page.locator('input[name=to]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => Object.keys(window.keylabDashboard.charts))).toEqual([]);
  });

  it('signs out: the session ends and a reload shows the sign-in form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name=email]').waitFor();
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('kl_refresh');
    await page.reload();
    await page.locator('input[name=email]').waitFor();
  });

  it('plots the activities a link chooses, as ActivityTag values, also from a link with the stored tags', async () => {
    const path = `${customPeriodPath(SCRIPTED)}&activities=see_keyboard,SEE_BOX`;
    const chosen = await openPage({}, path);
    try {
      await settleAfter(chosen.page, () => signInThroughForm(chosen.page, admin.email, PASSWORD));
      const { plotted } = await expectPlottedToMatch(chosen.page, apiSeries, englishCharts);
      expect(plotted.input.activities).toEqual(['SEE_BOX', 'SEE_KEYBOARD']);
      expect(plotted.charts.activityEvents!.labels).toEqual(['Box viewed', 'Keyboard viewed']);
      expect(new URL(chosen.page.url()).searchParams.get('activities')).toBe('SEE_BOX,SEE_KEYBOARD');
      const boxes = chosen.page.locator('input[name=activity][value=SEE_BOX]');
      expect(await boxes.isChecked()).toBe(true);
      expect(await chosen.page.locator('input[name=activity][value=EDIT_BOX]').isChecked()).toBe(false);
    } finally {
      await closeCleanly(chosen.context);
    }
  });

  it('speaks Russian in a Russian browser, with the API messages and activity titles in Russian', async () => {
    const ru = await openPage({ locale: 'ru-RU' }, customPeriodPath(SCRIPTED));
    try {
      await eventually(() => ru.page.locator('h1').textContent()).toBe('Вход администратора');
      await signInThroughForm(ru.page, admin.email, `${PASSWORD}-wrong`);
      await eventually(() => ru.page.locator('[data-code=UNAUTHENTICATED]').textContent()).toBe('Неверная почта или пароль.');

      await settleAfter(ru.page, () => signInThroughForm(ru.page, admin.email, PASSWORD));
      expect(await ru.page.evaluate(() => document.documentElement.lang)).toBe('ru');
      expect(await ru.page.locator('.top-bar h1').textContent()).toBe('Статистика KeyLab');
      expect(await ru.page.locator('[data-figure=visits] .figure-label').textContent()).toBe('Визиты');
      expect(await ru.page.locator('select[name=period] option[value=custom]').textContent()).toBe('Свой период');
      await ru.page.getByRole('button', { name: 'Выйти' }).waitFor();
      const { plotted, api } = await expectPlottedToMatch(
        ru.page,
        (input) => apiSeries(input, 'ru'),
        (series) => expectedCharts(series, RUSSIAN_LABELS),
      );
      // The lines carry the activities' Russian titles.
      const kinds = await stack.graphql<{ activityKinds: { tag: string; titleRu: string }[] }>(
        '{ activityKinds { tag titleRu } }',
        {
          token: admin.token,
        },
      );
      const russian = new Map(kinds.data!.activityKinds.map((kind) => [kind.tag, kind.titleRu]));
      expect(plotted.charts.activityEvents!.labels).toEqual(
        api.activity.byActivity.map((line) => russian.get(line.activity.tag)),
      );
    } finally {
      await closeCleanly(ru.context);
    }
  });
});

describe('the events this file sent through the gateway', () => {
  it('are in the last 24 hours, plotted exactly as the API answered the page', async () => {
    // The open period moves under every reader (other files write at "now" all the time), so the charts
    // are compared with the very answers the page drew from, and those must hold this file's events.
    const opened = await openPage({ timezoneId: 'Europe/Moscow' });
    const answers = recordSeriesAnswers(opened.context);
    await settleAfter(opened.page, () => signInThroughForm(opened.page, admin.email, PASSWORD));
    const { plotted, api } = await expectPlottedAsAnswered(opened.page, answers, englishCharts);
    expect(plotted.input).toMatchObject({ interval: 'AUTO', timeZone: 'Europe/Moscow', activities: null });
    expect(Date.parse(plotted.input.to) - Date.parse(plotted.input.from)).toBe(24 * 3_600_000);
    expect(api.activity.interval).toBe('FIFTEEN_MINUTES');
    const keyboardViews = api.activity.byActivity.find((line) => line.activity.tag === 'SEE_KEYBOARD')!;
    const sent = keyboardViews.points.filter((point) => Date.parse(point.start) >= Date.parse(ownViewsFrom) - 15 * 60_000);
    expect(sent.reduce((sum, point) => sum + point.events, 0)).toBeGreaterThanOrEqual(keyboards.length);
    expect(api.attendance.points.reduce((sum, point) => sum + point.visits, 0)).toBeGreaterThanOrEqual(1);
    await closeCleanly(opened.context);
  });
});

describe('a subgraph down', () => {
  it('still draws the charts and names the unavailable part when the catalogue is stopped', async () => {
    const { page, context } = await signedInAdminPage(SCRIPTED);
    await stack.keyboards.close();
    await settleAfter(page, () => page.locator('button.refresh').click());
    await expectPlottedToMatch(page, apiSeries, englishCharts);
    const notice = page.locator('[data-testid=unavailable][data-service=keyboards]');
    expect(await notice.textContent()).toContain('the keyboards service cannot be reached');
    expect(await notice.textContent()).toContain('Affected: Most viewed keyboards, Most viewed boxes, Most viewed switches.');
    expect(await page.locator('[data-list=topKeyboards] [data-missing=unavailable]').allTextContents()).toEqual([
      '(title unavailable)',
      '(title unavailable)',
    ]);
    expect(await page.locator('[data-figure=visits] .figure-value').textContent()).toBe('4');
    await closeCleanly(context);
  });
});
