import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsEventV1 } from '@keylab/messaging';
import { createStatsDb, ingestEvents, rebuildRollups } from '@keylab/stats-subgraph';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { activity, clearWindow, operation, publish, waitForEvents } from '@keylab/test-support/stats';
import { dropDatabase, ensureDatabase } from '../../../scripts/lib/postgres';
import { applyMigrations } from '../../../scripts/lib/prisma';
import { DATA_SERVICES, databaseUrl } from '../../../scripts/lib/services';

// This file's own stretch of time: no other test writes events here.
const WINDOW = { from: '2024-06-28T00:00:00Z', to: '2024-07-12T00:00:00Z' };
const BASE = Date.parse('2024-07-01T00:00:00Z');
const run = crypto.randomUUID().slice(0, 8);
const VISITORS = 30;
const visitor = (i: number) => ({ visitor: `r${i}-${run}` });
const TAGS = ['see_keyboard', 'see_box', 'edit_box'] as const;

/**
 * 30 visitors over a week and a half, every 37 minutes give or take, so their events fall in hundreds of
 * 15-minute slots, hours and days; plus events on both sides of the edges of Kolkata (+05:30, local
 * midnight 18:30 UTC) and Kathmandu (+05:45, 18:15 UTC) days and hours.
 */
const script: StatsEventV1[] = [];
for (let k = 0; k < 420; k++) {
  const at = new Date(BASE + k * 37 * 60_000 + ((k * 13) % 60) * 1000).toISOString();
  const who = visitor((k * 7) % VISITORS);
  script.push(
    k % 4 === 3
      ? operation(at, who, { outcome: k % 8 === 3 ? 'error' : 'success' })
      : activity(at, TAGS[k % 3]!, who, k % 5 ? `item-${k % 7}` : undefined),
  );
}
for (const day of ['2024-07-01', '2024-07-02', '2024-07-04']) {
  for (const [time, i] of [
    ['18:14:59.999', 1],
    ['18:15:00.000', 2],
    ['18:29:59.999', 3],
    ['18:30:00.000', 4],
    ['18:44:59.999', 5],
    ['18:45:00.000', 6],
    ['19:14:59.999', 7],
    ['19:15:00.000', 8],
    ['19:29:59.999', 9],
    ['19:30:00.000', 10],
  ] as const) {
    script.push(activity(`${day}T${time}Z`, 'see_keyboard', visitor(i)));
  }
}
const visitorIds = [...new Set(script.map((e) => e.visitorId!))];
const tagOf = (e: StatsEventV1) => (e.kind === 'operation' ? 'operation' : e.tag);

/** Visits of the script, the way the stats service cuts them (30 minutes of inactivity). */
const visits = (() => {
  const out: { start: number; end: number; operations: number }[] = [];
  for (const id of visitorIds) {
    const events = script.filter((e) => e.visitorId === id).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    let current: (typeof out)[number] | null = null;
    for (const e of events) {
      const at = Date.parse(e.at);
      if (!current || at - current.end > 30 * 60_000) out.push((current = { start: at, end: at, operations: 0 }));
      current.end = at;
      if (e.kind === 'operation') current.operations++;
    }
  }
  return out;
})();

/** The exact answer for [start, end), from the script itself. */
const inRange = (start: string, end: string) => {
  const [lo, hi] = [Date.parse(start), Date.parse(end)];
  return (at: number) => at >= lo && at < hi;
};
const exactActivity = (start: string, end: string, tags: readonly string[]) => {
  const events = script.filter((e) => tags.includes(tagOf(e)) && inRange(start, end)(Date.parse(e.at)));
  return { events: events.length, visitors: new Set(events.map((e) => e.visitorId)).size };
};
const exactAttendance = (start: string, end: string) => {
  const started = visits.filter((v) => inRange(start, end)(v.start));
  return {
    visits: started.length,
    visitors: new Set(script.filter((e) => inRange(start, end)(Date.parse(e.at))).map((e) => e.visitorId)).size,
    bounces: started.filter((v) => v.operations <= 1).length,
    totalVisitSeconds: started.reduce((sum, v) => sum + (v.end - v.start), 0) / 1000,
  };
};

const ACTIVITY = `query ($input: ActivitySeriesInput!) {
  activitySeries(input: $input) { from to events visitors points { start end events visitors } } }`;
const ATTENDANCE = `query ($input: SeriesInput!) {
  attendanceSeries(input: $input) { from to visits visitors points { start end visits visitors bounces totalVisitSeconds } } }`;

let stack: Stack;
let admin: TestUser;

type Point = { start: string; end: string } & Record<string, number>;
const series = async (query: string, input: Record<string, unknown>) => {
  const answer = await stack.graphql<Record<string, { from: string; to: string; points: Point[] } & Record<string, number>>>(
    query,
    {
      variables: { input },
      token: admin.token,
    },
  );
  expect(answer.errors).toBeUndefined();
  return Object.values(answer.data!)[0]!;
};

beforeAll(async () => {
  stack = await startStack();
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  admin = await stack.createUser(['user', 'admin']);
  // Out of order: the second half first, so late events merge visits that were already written.
  const half = Math.floor(script.length / 2);
  await publish(stack, script.slice(half));
  await publish(stack, script.slice(0, half));
  await waitForEvents(stack, visitorIds, script.length);
});

afterAll(async () => {
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  await stack?.close();
});

const ZONES = [
  { zone: 'Asia/Kolkata', offset: '+05:30' },
  { zone: 'Asia/Kathmandu', offset: '+05:45' },
  { zone: 'UTC', offset: 'Z' },
];
const PERIODS = [
  { interval: 'FIFTEEN_MINUTES', from: '2024-07-02T00:00:00', to: '2024-07-02T06:00:00' },
  { interval: 'HOUR', from: '2024-07-01T12:00:00', to: '2024-07-03T12:00:00' },
  { interval: 'DAY', from: '2024-07-01T00:00:00', to: '2024-07-10T00:00:00' },
  { interval: 'WEEK', from: '2024-07-01T00:00:00', to: '2024-07-08T00:00:00' },
];

describe('rollups read in any time zone', () => {
  describe.each(ZONES)('$zone', ({ zone, offset }) => {
    it.each(PERIODS)('counts every $interval bucket exactly, edges inside an hour included', async ({ interval, from, to }) => {
      const input = { from: `${from}${offset}`, to: `${to}${offset}`, interval, timeZone: zone };
      for (const tags of [['SEE_KEYBOARD'], ['SEE_KEYBOARD', 'SEE_BOX', 'EDIT_BOX']]) {
        const result = await series(ACTIVITY, { ...input, activities: tags });
        const lower = tags.map((t) => t.toLowerCase());
        expect(result.points.map(({ start, end, events, visitors }) => ({ start, end, events, visitors }))).toEqual(
          result.points.map(({ start, end }) => ({ start, end, ...exactActivity(start, end, lower) })),
        );
        expect({ events: result.events, visitors: result.visitors }).toEqual(exactActivity(result.from, result.to, lower));
      }
      const attendance = await series(ATTENDANCE, input);
      expect(
        attendance.points.map(({ start, end, visits, visitors, bounces, totalVisitSeconds }) => ({
          start,
          end,
          visits,
          visitors,
          bounces,
          totalVisitSeconds,
        })),
      ).toEqual(attendance.points.map(({ start, end }) => ({ start, end, ...exactAttendance(start, end) })));
      const { visits: v, visitors } = exactAttendance(attendance.from, attendance.to);
      expect({ visits: attendance.visits, visitors: attendance.visitors }).toEqual({ visits: v, visitors });
    });
  });

  it('puts the events either side of a half-hour or three-quarter edge in the right local hour', async () => {
    const kolkata = await series(ACTIVITY, {
      from: '2024-07-02T00:00:00+05:30',
      to: '2024-07-02T01:00:00+05:30',
      interval: 'HOUR',
      timeZone: 'Asia/Kolkata',
      activities: ['SEE_KEYBOARD'],
    });
    // 18:30:00, 18:44:59.999, 18:45, 19:14:59.999, 19:15 and 19:29:59.999 UTC, and whatever the script put there.
    expect(kolkata.points[0]).toMatchObject({
      start: '2024-07-01T18:30:00.000Z',
      ...exactActivity('2024-07-01T18:30:00Z', '2024-07-01T19:30:00Z', ['see_keyboard']),
    });
    expect(kolkata.points[0]!.events).toBeGreaterThanOrEqual(6);
    const kathmandu = await series(ACTIVITY, {
      from: '2024-07-02T00:00:00+05:45',
      to: '2024-07-02T01:00:00+05:45',
      interval: 'HOUR',
      timeZone: 'Asia/Kathmandu',
      activities: ['SEE_KEYBOARD'],
    });
    expect(kathmandu.points[0]).toMatchObject({
      start: '2024-07-01T18:15:00.000Z',
      ...exactActivity('2024-07-01T18:15:00Z', '2024-07-01T19:15:00Z', ['see_keyboard']),
    });
    expect(kathmandu.points[0]!.events).toBeGreaterThanOrEqual(6);
  });

  it('counts a small set of visitors exactly over hundreds of slots', async () => {
    const all = ['SEE_KEYBOARD', 'SEE_BOX', 'EDIT_BOX'];
    const result = await series(ACTIVITY, {
      from: WINDOW.from,
      to: WINDOW.to,
      interval: 'DAY',
      timeZone: 'Asia/Kathmandu',
      activities: all,
    });
    expect(result.visitors).toBe(VISITORS);
    const attendance = await series(ATTENDANCE, { from: WINDOW.from, to: WINDOW.to, interval: 'DAY', timeZone: 'Asia/Kolkata' });
    expect(attendance.visitors).toBe(VISITORS);
  });
});

describe('rebuildRollups', () => {
  it('gives the same rollups and visits as incremental ingestion', async () => {
    const service = DATA_SERVICES.find((s) => s.name === 'stats')!;
    const url = databaseUrl(service, `_rollups_${run}`);
    await ensureDatabase(url);
    const db = createStatsDb(url);
    try {
      await applyMigrations(service, url);
      // Incremental: small batches in a shuffled order (late events join and move visits), one twice.
      const order = [...script]
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .sort((a, b) => ((Date.parse(a.at) * 7919) % 13) - ((Date.parse(b.at) * 7919) % 13));
      for (let i = 0; i < order.length; i += 25) await ingestEvents(db, order.slice(i, i + 25));
      await ingestEvents(db, order.slice(0, 40));
      const snapshot = async () => ({
        activity: await db.$queryRaw`
          SELECT width, slot, tag, events, hll_cardinality(visitors)::float8 AS visitors FROM activity_rollups ORDER BY 1, 2, 3`,
        visits: await db.$queryRaw`
          SELECT width, slot, visits, bounces, duration_ms::float8 AS ms, signed_in, sign_up_visits
          FROM visit_rollups WHERE visits <> 0 ORDER BY 1, 2`,
        items: await db.$queryRaw`
          SELECT width, slot, tag, item_id, views, hll_cardinality(visitors)::float8 AS visitors FROM item_rollups ORDER BY 1, 2, 3, 4`,
        operations: await db.$queryRaw`
          SELECT width, slot, name, operations, errors, duration_ms::float8 AS ms FROM operation_rollups ORDER BY 1, 2, 3`,
        rows: await db.$queryRaw`SELECT visitor_id, started_at, ended_at, events, operations FROM visits ORDER BY 1, 2`,
      });
      const incremental = await snapshot();
      expect((incremental.activity as unknown[]).length).toBeGreaterThan(100);
      expect((incremental.items as unknown[]).length).toBeGreaterThan(100);
      expect((incremental.operations as unknown[]).length).toBeGreaterThan(50);
      expect((incremental.rows as unknown[]).length).toBe(visits.length);
      await rebuildRollups(db);
      expect(await snapshot()).toEqual(incremental);
    } finally {
      await db.$disconnect();
      await dropDatabase(url);
    }
  });
});
