import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import {
  activity,
  clearVisitor,
  clearVisitors,
  clearWindow,
  operation,
  publish,
  rolledUpEvents,
  sneakIntoRollups,
  waitForEvents,
} from '@keylab/test-support/stats';

// This file's own stretch of time: no other test writes events here.
const WINDOW = { from: '2025-03-08T00:00:00Z', to: '2025-03-13T00:00:00Z' };
const D = '2025-03-10';

let stack: Stack;
let admin: TestUser;
let user: TestUser;
const run = crypto.randomUUID().slice(0, 8);
const A = { visitor: `a-${run}` };
const B = { visitor: `b-${run}`, user: crypto.randomUUID() };
const C = { visitor: `c-${run}` };
const keyboard = crypto.randomUUID();
const box = crypto.randomUUID();
const switchId = crypto.randomUUID();

/**
 * A: a 20-minute visit at 09:00 UTC (3 operations, 2 keyboard views), then a single-operation visit at
 * 10:00 (40 minutes later: a new visit). B, signed in: 09:05 to 09:34:59 (the gap of 29:57 keeps one
 * visit), then a bounce at 23:50 with a switch view. C: one failed operation at 00:10 the next day.
 */
const script = [
  operation(`${D}T09:00:00.000Z`, A),
  activity(`${D}T09:00:01.000Z`, 'see_keyboard', A, keyboard),
  operation(`${D}T09:10:00.000Z`, A),
  activity(`${D}T09:10:00.500Z`, 'see_keyboard', A, keyboard),
  operation(`${D}T09:20:00.000Z`, A),
  operation(`${D}T10:00:00.000Z`, A),
  operation(`${D}T09:05:00.000Z`, B, { operationName: 'Boxes' }),
  activity(`${D}T09:05:02.000Z`, 'see_box', B, box),
  operation(`${D}T09:34:59.000Z`, B, { operationName: 'Boxes' }),
  operation(`${D}T23:50:00.000Z`, B),
  activity(`${D}T23:50:30.000Z`, 'see_switch', B, switchId),
  operation('2025-03-11T00:10:00.000Z', C, { outcome: 'error', errorCode: 'BAD_USER_INPUT', operationName: 'Broken' }),
];
const visitors = [A.visitor, B.visitor, C.visitor];

const ACTIVITY = `query ($input: ActivitySeriesInput!) {
  activitySeries(input: $input) { from to interval timeZone events visitors activities { tag }
    points { start end localStart events visitors } } }`;
const ATTENDANCE = `query ($input: SeriesInput!) {
  attendanceSeries(input: $input) { from to interval timeZone visits visitors averageVisitSeconds bounceRate
    points { start end localStart visits visitors bounces totalVisitSeconds averageVisitSeconds } } }`;

type Point = Record<string, number | string>;
const series = async (query: string, input: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const answer = await stack.graphql<Record<string, { points: Point[] } & Record<string, unknown>>>(query, {
    variables: { input },
    token: admin.token,
    headers,
  });
  expect(answer.errors).toBeUndefined();
  return Object.values(answer.data!)[0]!;
};
const pick = (points: Point[], ...fields: string[]) => points.map((p) => Object.fromEntries(fields.map((f) => [f, p[f]])));

beforeAll(async () => {
  stack = await startStack();
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  [admin, user] = await Promise.all([stack.createUser(['user', 'admin']), stack.createUser()]);
  // Out of order and twice: the later half first, then everything again in another batch.
  await publish(stack, script.slice(6));
  await publish(stack, script.slice(0, 6));
  await waitForEvents(stack, visitors, script.length);
  await publish(stack, [...script].reverse());
  await publish(stack, script.slice(2, 4));
});

afterAll(async () => {
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  await stack?.close();
});

describe('ingestion', () => {
  it('stores each event once, however often and in whatever order it is delivered', async () => {
    // The duplicates went after the originals on the same queue: once they are consumed, nothing grew.
    const marker = operation(`${D}T12:00:00.000Z`, { visitor: `marker-${run}` });
    await publish(stack, [marker]);
    await waitForEvents(stack, [`marker-${run}`], 1);
    expect(await stack.stats.db.event.count({ where: { visitorId: { in: visitors } } })).toBe(script.length);
    // The rollups hold no visitor rows: the marker goes first, then the window holds the script only.
    await clearVisitor(stack, `marker-${run}`);
    expect(await rolledUpEvents(stack, WINDOW.from, WINDOW.to)).toBe(script.length);
  });

  it('cuts visits after 30 minutes of inactivity, measuring each from its first to its last event', async () => {
    const visits = await stack.stats.db.visit.findMany({ where: { visitorId: { in: visitors } }, orderBy: { startedAt: 'asc' } });
    expect(
      visits.map((v) => ({
        visitor: v.visitorId,
        start: v.startedAt.toISOString(),
        seconds: (v.endedAt.getTime() - v.startedAt.getTime()) / 1000,
        operations: v.operations,
        events: v.events,
        signedIn: v.userId !== null,
      })),
    ).toEqual([
      { visitor: A.visitor, start: `${D}T09:00:00.000Z`, seconds: 1200, operations: 3, events: 5, signedIn: false },
      { visitor: B.visitor, start: `${D}T09:05:00.000Z`, seconds: 1799, operations: 2, events: 3, signedIn: true },
      { visitor: A.visitor, start: `${D}T10:00:00.000Z`, seconds: 0, operations: 1, events: 1, signedIn: false },
      { visitor: B.visitor, start: `${D}T23:50:00.000Z`, seconds: 30, operations: 1, events: 2, signedIn: true },
      { visitor: C.visitor, start: '2025-03-11T00:10:00.000Z', seconds: 0, operations: 1, events: 1, signedIn: false },
    ]);
  });

  it('joins two visits when a late event fills the gap between them', async () => {
    const E = { visitor: `e-${run}` };
    await publish(stack, [operation(`${D}T14:00:00.000Z`, E), operation(`${D}T14:50:00.000Z`, E)]);
    await waitForEvents(stack, [E.visitor], 2);
    expect(await stack.stats.db.visit.count({ where: { visitorId: E.visitor } })).toBe(2);
    await publish(stack, [operation(`${D}T14:25:00.000Z`, E)]);
    await waitForEvents(stack, [E.visitor], 3);
    const visits = await stack.stats.db.visit.findMany({ where: { visitorId: E.visitor } });
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({
      startedAt: new Date(`${D}T14:00:00.000Z`),
      endedAt: new Date(`${D}T14:50:00.000Z`),
      operations: 3,
    });
    await clearVisitor(stack, E.visitor);
  });
});

describe('activity series', () => {
  it('counts events and unique visitors per UTC day, with empty days present', async () => {
    const result = await series(ACTIVITY, { from: `${D}T00:00:00Z`, to: '2025-03-12T00:00:00Z', interval: 'DAY' });
    expect(result).toMatchObject({
      from: `${D}T00:00:00.000Z`,
      to: '2025-03-12T00:00:00.000Z',
      interval: 'DAY',
      timeZone: 'UTC',
    });
    expect(result.events).toBe(4);
    expect(result.visitors).toBe(2);
    expect(pick(result.points, 'localStart', 'events', 'visitors')).toEqual([
      { localStart: `${D}T00:00:00+00:00`, events: 4, visitors: 2 },
      { localStart: '2025-03-11T00:00:00+00:00', events: 0, visitors: 0 },
    ]);
    expect((result.activities as { tag: string }[]).map((a) => a.tag)).toContain('SEE_KIT');
  });

  it('breaks the series down by activity in one request, one line per chosen activity', async () => {
    const BY_ACTIVITY = `query ($input: ActivitySeriesInput!) {
      activitySeries(input: $input) { events byActivity { activity { tag title } events visitors points { localStart events visitors } } } }`;
    const daily = await series(BY_ACTIVITY, {
      from: `${D}T00:00:00Z`,
      to: '2025-03-12T00:00:00Z',
      interval: 'DAY',
      activities: ['SEE_SWITCH', 'SEE_KEYBOARD', 'SEE_BOX'],
    });
    type Line = { activity: { tag: string; title: string }; events: number; visitors: number; points: Point[] };
    const lines = daily.byActivity as Line[];
    const day = (events: number, visitors: number) => [
      { localStart: `${D}T00:00:00+00:00`, events, visitors },
      { localStart: '2025-03-11T00:00:00+00:00', events: 0, visitors: 0 },
    ];
    expect(lines).toEqual([
      { activity: { tag: 'SEE_BOX', title: 'Box viewed' }, events: 1, visitors: 1, points: day(1, 1) },
      { activity: { tag: 'SEE_KEYBOARD', title: 'Keyboard viewed' }, events: 2, visitors: 1, points: day(2, 1) },
      { activity: { tag: 'SEE_SWITCH', title: 'Switches viewed' }, events: 1, visitors: 1, points: day(1, 1) },
    ]);
    expect(lines.reduce((sum, line) => sum + line.events, 0)).toBe(daily.events);

    const minutes = await series(BY_ACTIVITY, {
      from: `${D}T09:00:00Z`,
      to: `${D}T09:15:00Z`,
      interval: 'MINUTE',
      activities: ['SEE_BOX', 'SEE_KEYBOARD'],
    });
    const busy = (line: Line) => line.points.filter((point) => point.events).map((point) => [point.localStart, point.events]);
    const [boxes, keyboards] = minutes.byActivity as Line[];
    expect(busy(boxes!)).toEqual([[`${D}T09:05:00+00:00`, 1]]);
    expect(busy(keyboards!)).toEqual([
      [`${D}T09:00:00+00:00`, 1],
      [`${D}T09:10:00+00:00`, 1],
    ]);
    expect(keyboards!.points).toHaveLength(15);
  });

  it('takes and gives activities as ActivityTag values', async () => {
    const answer = await stack.graphql<{
      activitySeries: {
        events: number;
        activities: { tag: string }[];
        byActivity: { activity: { tag: string }; events: number }[];
      };
    }>(
      `{ activitySeries(input: { from: "${D}T00:00:00Z", to: "2025-03-11T00:00:00Z", interval: DAY, activities: [SEE_KEYBOARD] }) {
          events activities { tag } byActivity { activity { tag } events } } }`,
      { token: admin.token },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.activitySeries).toEqual({
      events: 2,
      activities: [{ tag: 'SEE_KEYBOARD' }],
      byActivity: [{ activity: { tag: 'SEE_KEYBOARD' }, events: 2 }],
    });
  });

  it('follows the local calendar of Europe/Moscow (+03:00)', async () => {
    const result = await series(ACTIVITY, {
      from: `${D}T00:00:00+03:00`,
      to: '2025-03-12T00:00:00+03:00',
      interval: 'DAY',
      timeZone: 'Europe/Moscow',
    });
    expect(pick(result.points, 'start', 'localStart', 'events', 'visitors')).toEqual([
      { start: '2025-03-09T21:00:00.000Z', localStart: `${D}T00:00:00+03:00`, events: 3, visitors: 2 },
      { start: `${D}T21:00:00.000Z`, localStart: '2025-03-11T00:00:00+03:00', events: 1, visitors: 1 },
    ]);
  });

  it('filters by activity, and cuts hours, quarters and minutes', async () => {
    const boxes = await series(ACTIVITY, {
      from: `${D}T00:00:00Z`,
      to: '2025-03-11T00:00:00Z',
      interval: 'DAY',
      activities: ['SEE_BOX'],
    });
    expect(pick(boxes.points, 'events', 'visitors')).toEqual([{ events: 1, visitors: 1 }]);

    const hours = await series(ACTIVITY, { from: `${D}T08:00:00Z`, to: `${D}T11:00:00Z`, interval: 'HOUR' });
    expect(pick(hours.points, 'start', 'events', 'visitors')).toEqual([
      { start: `${D}T08:00:00.000Z`, events: 0, visitors: 0 },
      { start: `${D}T09:00:00.000Z`, events: 3, visitors: 2 },
      { start: `${D}T10:00:00.000Z`, events: 0, visitors: 0 },
    ]);

    const quarters = await series(ACTIVITY, { from: `${D}T09:00:00Z`, to: `${D}T09:45:00Z`, interval: 'FIFTEEN_MINUTES' });
    expect(pick(quarters.points, 'events', 'visitors')).toEqual([
      { events: 3, visitors: 2 },
      { events: 0, visitors: 0 },
      { events: 0, visitors: 0 },
    ]);

    const minutes = await series(ACTIVITY, { from: `${D}T09:00:00Z`, to: `${D}T09:05:00Z` });
    expect(minutes.interval).toBe('MINUTE');
    expect(pick(minutes.points, 'events')).toEqual([{ events: 1 }, { events: 0 }, { events: 0 }, { events: 0 }, { events: 0 }]);
  });
});

describe('attendance series', () => {
  it('counts visits where they start, visitors where they are active, and their durations', async () => {
    const result = await series(ATTENDANCE, { from: `${D}T00:00:00Z`, to: '2025-03-12T00:00:00Z', interval: 'DAY' });
    expect(pick(result.points, 'visits', 'visitors', 'bounces', 'totalVisitSeconds', 'averageVisitSeconds')).toEqual([
      { visits: 4, visitors: 2, bounces: 2, totalVisitSeconds: 3029, averageVisitSeconds: 757.25 },
      { visits: 1, visitors: 1, bounces: 1, totalVisitSeconds: 0, averageVisitSeconds: 0 },
    ]);
    expect(result).toMatchObject({ visits: 5, visitors: 3, averageVisitSeconds: 605.8, bounceRate: 0.6 });
  });

  it('puts the late-evening visits into the next day in Moscow', async () => {
    const result = await series(ATTENDANCE, {
      from: `${D}T00:00:00+03:00`,
      to: '2025-03-12T00:00:00+03:00',
      interval: 'DAY',
      timeZone: 'Europe/Moscow',
    });
    expect(pick(result.points, 'localStart', 'visits', 'visitors', 'bounces', 'totalVisitSeconds')).toEqual([
      { localStart: `${D}T00:00:00+03:00`, visits: 3, visitors: 2, bounces: 1, totalVisitSeconds: 2999 },
      { localStart: '2025-03-11T00:00:00+03:00', visits: 2, visitors: 2, bounces: 2, totalVisitSeconds: 30 },
    ]);
  });

  it('has a 23-hour day where New York moves its clocks forward', async () => {
    const result = await series(ATTENDANCE, {
      from: '2025-03-08T00:00:00-05:00',
      to: '2025-03-12T00:00:00-04:00',
      interval: 'DAY',
      timeZone: 'America/New_York',
    });
    expect(
      result.points.map((p) => ({
        localStart: p.localStart,
        hours: (Date.parse(p.end as string) - Date.parse(p.start as string)) / 3_600_000,
        visits: p.visits,
      })),
    ).toEqual([
      { localStart: '2025-03-08T00:00:00-05:00', hours: 24, visits: 0 },
      { localStart: '2025-03-09T00:00:00-05:00', hours: 23, visits: 0 },
      { localStart: `${D}T00:00:00-04:00`, hours: 24, visits: 5 },
      { localStart: '2025-03-11T00:00:00-04:00', hours: 24, visits: 0 },
    ]);
  });

  it('groups weeks from Monday and months from the 1st', async () => {
    const weeks = await series(ATTENDANCE, { from: '2025-03-01T00:00:00Z', to: '2025-03-20T00:00:00Z', interval: 'WEEK' });
    expect(pick(weeks.points, 'start', 'visits')).toEqual([
      { start: '2025-02-24T00:00:00.000Z', visits: 0 },
      { start: '2025-03-03T00:00:00.000Z', visits: 0 },
      { start: '2025-03-10T00:00:00.000Z', visits: 5 },
      { start: '2025-03-17T00:00:00.000Z', visits: 0 },
    ]);
    const months = await series(ATTENDANCE, { from: '2025-02-15T00:00:00Z', to: '2025-04-02T00:00:00Z', interval: 'MONTH' });
    expect(pick(months.points, 'start', 'end', 'visits')).toEqual([
      { start: '2025-02-01T00:00:00.000Z', end: '2025-03-01T00:00:00.000Z', visits: 0 },
      { start: '2025-03-01T00:00:00.000Z', end: '2025-04-01T00:00:00.000Z', visits: 5 },
      { start: '2025-04-01T00:00:00.000Z', end: '2025-05-01T00:00:00.000Z', visits: 0 },
    ]);
  });
});

describe('overview', () => {
  it('sums up the period: visitors, visits, bounce rate, durations and top lists', async () => {
    const answer = await stack.graphql<{ statsOverview: Record<string, unknown> }>(
      `query ($input: OverviewInput!) { statsOverview(input: $input) {
        from to visitors visits signedInVisits events operations failedOperations averageVisitSeconds bounceRate
        topActivities { activity { tag title } events visitors }
        topOperations { name count errors averageDurationMs }
        topKeyboards { keyboardId keyboard { id title } views visitors }
        topBoxes { boxId views visitors } topSwitches { switchId views visitors } visitorsNow } }`,
      { variables: { input: { from: `${D}T00:00:00Z`, to: '2025-03-12T00:00:00Z', top: 5 } }, token: admin.token },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.statsOverview).toMatchObject({
      visitors: 3,
      visits: 5,
      signedInVisits: 2,
      events: 12,
      operations: 8,
      failedOperations: 1,
      averageVisitSeconds: 605.8,
      bounceRate: 0.6,
      topActivities: [
        { activity: { tag: 'SEE_KEYBOARD', title: 'Keyboard viewed' }, events: 2, visitors: 1 },
        { activity: { tag: 'SEE_BOX' }, events: 1, visitors: 1 },
        { activity: { tag: 'SEE_SWITCH' }, events: 1, visitors: 1 },
      ],
      topOperations: [
        { name: 'Catalogue', count: 5, errors: 0, averageDurationMs: 12 },
        { name: 'Boxes', count: 2, errors: 0 },
        { name: 'Broken', count: 1, errors: 1 },
      ],
      // The keyboard does not exist in the catalogue (any more): its id stays, the entity is null. Ids are
      // the global ids of the stored UUIDs.
      topKeyboards: [{ keyboardId: toGlobalId('Keyboard', keyboard), keyboard: null, views: 2, visitors: 1 }],
      topBoxes: [{ boxId: toGlobalId('Box', box), views: 1, visitors: 1 }],
      topSwitches: [{ switchId: toGlobalId('Switch', switchId), views: 1, visitors: 1 }],
    });
    expect(typeof answer.data!.statsOverview.visitorsNow).toBe('number');
  });
});

describe('the result cache', () => {
  it('serves closed periods from Redis until a late event arrives', async () => {
    const input = { from: `${D}T00:00:00Z`, to: '2025-03-11T00:00:00Z', interval: 'DAY', activities: ['EDIT_KIT'] };
    expect(pick((await series(ACTIVITY, input)).points, 'events')).toEqual([{ events: 0 }]);
    // Written behind the consumer's back: a cached closed period does not see it...
    const sneaked = { slot: new Date(`${D}T15:00:00Z`), tag: 'edit_kit', visitorId: `sneak-${run}`, events: 7 };
    await sneakIntoRollups(stack, sneaked.slot, sneaked.tag, sneaked.visitorId, sneaked.events);
    expect(pick((await series(ACTIVITY, input)).points, 'events')).toEqual([{ events: 0 }]);
    // ...until the consumer writes a late event, which drops every cached result.
    const F = { visitor: `f-${run}` };
    try {
      await publish(stack, [activity(`${D}T16:00:00.000Z`, 'edit_kit', F)]);
      await waitForEvents(stack, [F.visitor], 1);
      // The invalidation follows the consumer's write; on a busy machine that takes more than a second.
      await expect
        .poll(async () => pick((await series(ACTIVITY, input)).points, 'events'), { timeout: 10_000 })
        .toEqual([{ events: 8 }]);
    } finally {
      // The sneaked rows have no raw event: recomputing the day from the events removes them too.
      await clearVisitors(stack, [sneaked.visitorId, F.visitor]);
      await clearWindow(stack, sneaked.slot.toISOString(), sneaked.slot.toISOString());
    }
  });
});

describe('input checks', () => {
  const bad = async (query: string, input: Record<string, unknown>, locale = 'en') => {
    const answer = await stack.graphql(query, {
      variables: { input },
      token: admin.token,
      headers: { 'accept-language': locale },
    });
    // The root field is nullable: null with the error, or no data at all when the variables are refused.
    expect(Object.values(answer.data ?? {}).every((value) => value === null)).toBe(true);
    return answer.errors![0]!;
  };

  it('refuses reversed, future, too long periods, unknown zones and activities with BAD_USER_INPUT', async () => {
    const reversed = await bad(ATTENDANCE, { from: `${D}T10:00:00Z`, to: `${D}T09:00:00Z` });
    expect(reversed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(reversed.message).toBe('Invalid value of to: must be later than from.');

    const future = await bad(ATTENDANCE, {
      from: new Date(Date.now() + 3_600_000).toISOString(),
      to: new Date(Date.now() + 7_200_000).toISOString(),
    });
    expect(future.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });

    const long = await bad(ACTIVITY, { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z', interval: 'MINUTE' }, 'ru');
    expect(long.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval' });
    expect(long.message).toContain('1 минута');

    // The gateway cannot check a subgraph's scalar; the subgraph's refusal comes through with its code.
    const notADate = await bad(ATTENDANCE, { from: 'ǅǈ', to: `${D}T09:00:00Z` });
    expect(notADate.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(notADate.message).toMatch(/DateTime must be an RFC 3339 date-time with an offset/);

    const zone = await bad(ATTENDANCE, { from: `${D}T00:00:00Z`, to: `${D}T01:00:00Z`, timeZone: 'Mars/Olympus' });
    expect(zone.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });

    const top = await bad('query ($input: OverviewInput!) { statsOverview(input: $input) { visits } }', {
      from: `${D}T00:00:00Z`,
      to: `${D}T01:00:00Z`,
      top: 500,
    });
    expect(top.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'top' });
  });

  it('refuses a date-time without an offset with BAD_USER_INPUT, and signs no export for it', async () => {
    const local = `${D}T09:00:00`;
    for (const [from, to] of [
      [local, `${D}T10:00:00Z`],
      [`${D}T08:00:00Z`, local],
    ]) {
      const refused = await bad(ATTENDANCE, { from, to });
      expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(refused.message).toMatch(/with an offset/);
    }
    const EXPORT = 'query ($input: StatsExportInput!) { statsExport(input: $input) { url } }';
    const exported = await bad(EXPORT, { series: 'ATTENDANCE', from: local, to: `${D}T10:00:00Z` });
    expect(exported.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const literal = await stack.graphql(
      `{ statsExport(input: { series: ATTENDANCE, from: "${local}", to: "${D}T10:00:00Z" }) { url } }`,
      {
        token: admin.token,
      },
    );
    expect(literal.data?.statsExport ?? null).toBeNull();
    expect(literal.errors?.[0]?.message).toMatch(/with an offset/);
  });

  it('refuses an activity the ActivityTag enum does not name as a GraphQL validation error', async () => {
    // In the document: the gateway's validation refuses it before any subgraph is asked.
    const literal = await stack.graphql(
      `{ activitySeries(input: { from: "${D}T00:00:00Z", to: "${D}T01:00:00Z", activities: [SEE_EVERYTHING] }) { events } }`,
      { token: admin.token },
    );
    expect(literal.data ?? null).toBeNull();
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(literal.errors?.[0]?.message).toContain('ActivityTag');
    // In the variables, also the stored lower-case form: the variables are refused, nothing runs.
    for (const tag of ['SEE_EVERYTHING', 'see_keyboard']) {
      const variable = await bad(ACTIVITY, { from: `${D}T00:00:00Z`, to: `${D}T01:00:00Z`, activities: [tag] });
      expect(variable.extensions?.code).toBe('BAD_USER_INPUT');
      expect(variable.message).toContain('ActivityTag');
    }
  });

  it('chooses the interval from the period when asked for AUTO', async () => {
    const cases: [string, string, string][] = [
      [`${D}T09:00:00Z`, `${D}T10:00:00Z`, 'MINUTE'],
      [`${D}T00:00:00Z`, `${D}T12:00:00Z`, 'FIFTEEN_MINUTES'],
      [`${D}T00:00:00Z`, '2025-03-13T00:00:00Z', 'HOUR'],
      ['2025-02-10T00:00:00Z', '2025-03-12T00:00:00Z', 'DAY'],
      ['2024-06-01T00:00:00Z', '2025-03-01T00:00:00Z', 'WEEK'],
      ['2023-01-01T00:00:00Z', '2025-03-01T00:00:00Z', 'MONTH'],
    ];
    for (const [from, to, interval] of cases) {
      expect((await series(ATTENDANCE, { from, to })).interval).toBe(interval);
    }
  });
});

describe('access', () => {
  const queries = [
    '{ activityKinds { tag } }',
    '{ statsIntervals { interval } }',
    `{ activitySeries(input: { from: "${D}T00:00:00Z", to: "${D}T01:00:00Z" }) { events } }`,
    `{ attendanceSeries(input: { from: "${D}T00:00:00Z", to: "${D}T01:00:00Z" }) { visits } }`,
    `{ statsOverview(input: { from: "${D}T00:00:00Z", to: "${D}T01:00:00Z" }) { visits } }`,
    `{ statsExport(input: { series: ATTENDANCE, from: "${D}T00:00:00Z", to: "${D}T01:00:00Z" }) { url } }`,
  ];

  it('nulls only the statistics field when it fails, not the catalogue fields of the same query', async () => {
    const query = `{ boxTypes { id } activityKinds { tag } statsOverview(input: { from: "${D}T00:00:00Z", to: "${D}T01:00:00Z", top: 500 }) { visits } }`;
    const anonymous = await stack.graphql<{ boxTypes: unknown[]; activityKinds: unknown; statsOverview: unknown }>(query);
    expect(anonymous.data).toMatchObject({ activityKinds: null, statsOverview: null });
    expect(anonymous.data!.boxTypes.length).toBeGreaterThan(0);
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    const tooLong = await stack.graphql<{ boxTypes: unknown[]; activityKinds: unknown[]; statsOverview: unknown }>(query, {
      token: admin.token,
    });
    expect(tooLong.data!.statsOverview).toBeNull();
    expect(tooLong.data!.activityKinds).toHaveLength(10);
    expect(tooLong.data!.boxTypes.length).toBeGreaterThan(0);
    expect(tooLong.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['statsOverview'], 'BAD_USER_INPUT']]);
  });

  it('refuses every statistics query to anonymous callers and to users who are not administrators', async () => {
    for (const query of queries) {
      const anonymous = await stack.graphql(query);
      expect(anonymous.errors?.[0]?.extensions?.code, query).toBe('UNAUTHENTICATED');
      const someone = await stack.graphql(query, { token: user.token, headers: { 'accept-language': 'ru' } });
      expect(someone.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
      expect(someone.errors?.[0]?.message).toBe('Это может сделать только администратор.');
      const allowed = await stack.graphql(query, { token: admin.token });
      expect(allowed.errors, query).toBeUndefined();
    }
  });

  it('lists the original intervals, their lengths and longest periods in seconds, and every activity with both titles', async () => {
    const answer = await stack.graphql<{
      statsIntervals: { interval: string; lengthSeconds: number; maxPeriodSeconds: number; title: string }[];
      activityKinds: { tag: string; title: string; titleEn: string; titleRu: string }[];
    }>('{ statsIntervals { interval lengthSeconds maxPeriodSeconds title } activityKinds { tag title titleEn titleRu } }', {
      token: admin.token,
      headers: { 'accept-language': 'ru' },
    });
    expect(answer.errors).toBeUndefined();
    // 1,500 buckets at most: a period of 1,499 lengths; a month's (3,626,380,800 s) is beyond Int.
    expect(answer.data!.statsIntervals.map((i) => [i.interval, i.lengthSeconds, i.maxPeriodSeconds])).toEqual([
      ['MINUTE', 60, 89_940],
      ['FIFTEEN_MINUTES', 900, 1_349_100],
      ['HOUR', 3600, 5_396_400],
      ['DAY', 86400, 129_513_600],
      ['WEEK', 604800, 906_595_200],
      ['MONTH', 2419200, 3_626_380_800],
    ]);
    expect(answer.data!.statsIntervals[1]!.title).toBe('15 минут');
    const kinds = answer.data!.activityKinds;
    expect(kinds).toHaveLength(10);
    expect(kinds.find((k) => k.tag === 'SEE_KEYBOARD')).toMatchObject({
      title: 'Просмотр клавиатуры',
      titleEn: 'Keyboard viewed',
    });
    expect(kinds.find((k) => k.tag === 'SEE_KIT')).toMatchObject({
      title: 'Просмотр набора кейкапов',
      titleEn: 'Keycap kit viewed',
    });
  });
});

describe('CSV export', () => {
  it('gives a signed link on the gateway that downloads the series, and refuses a tampered one', async () => {
    const answer = await stack.graphql<{ statsExport: { url: string; expiresAt: string } }>(
      `query ($input: StatsExportInput!) { statsExport(input: $input) { url expiresAt } }`,
      {
        variables: {
          input: {
            series: 'ATTENDANCE',
            from: `${D}T00:00:00+03:00`,
            to: '2025-03-12T00:00:00+03:00',
            interval: 'DAY',
            timeZone: 'Europe/Moscow',
          },
        },
        token: admin.token,
      },
    );
    expect(answer.errors).toBeUndefined();
    const { url, expiresAt } = answer.data!.statsExport;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(url).toMatch(/^https?:\/\//);
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/exports\/statistics\//);
    const gateway = new URL(stack.gatewayUrl).origin;

    const download = await fetch(`${gateway}${path}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).toContain('attachment; filename="keylab-attendance-');
    expect(await download.text()).toBe(
      'bucket_start,bucket_end,visits,visitors,bounces,total_visit_seconds,average_visit_seconds,sign_ups\r\n' +
        `${D}T00:00:00+03:00,2025-03-11T00:00:00+03:00,3,2,1,2999,999.667,0\r\n` +
        '2025-03-11T00:00:00+03:00,2025-03-12T00:00:00+03:00,2,2,2,30,15,0\r\n',
    );

    const token = path.split('/').at(-1)!;
    const tampered = await fetch(`${gateway}/exports/statistics/${token.slice(0, -2)}xx`, {
      headers: { 'accept-language': 'ru' },
    });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toBe('Эта ссылка на выгрузку недействительна: запросите новую.');
  });

  it('downloads an activity series with a column pair for each chosen activity', async () => {
    const answer = await stack.graphql<{ statsExport: { url: string } }>(
      `{ statsExport(input: { series: ACTIVITY, from: "${D}T00:00:00Z", to: "2025-03-12T00:00:00Z", interval: DAY,
          activities: [SEE_KEYBOARD, SEE_SWITCH] }) { url } }`,
      { token: admin.token },
    );
    const download = await fetch(`${new URL(stack.gatewayUrl).origin}${new URL(answer.data!.statsExport.url).pathname}`);
    expect(await download.text()).toBe(
      'bucket_start,bucket_end,events,visitors,see_keyboard_events,see_keyboard_visitors,see_switch_events,see_switch_visitors\r\n' +
        `${D}T00:00:00+00:00,2025-03-11T00:00:00+00:00,3,2,2,1,1,1\r\n` +
        '2025-03-11T00:00:00+00:00,2025-03-12T00:00:00+00:00,0,0,0,0,0,0\r\n',
    );
  });

  it('refuses to sign a bad request', async () => {
    const answer = await stack.graphql(
      `{ statsExport(input: { series: ACTIVITY, from: "${D}T02:00:00Z", to: "${D}T01:00:00Z" }) { url } }`,
      {
        token: admin.token,
      },
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
