import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '@keylab/server';
import { USER_REGISTERED_ROUTING_KEY, type UserRegisteredV1 } from '@keylab/messaging';
import { waitFor } from '@keylab/testing';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { clearVisitor, clearWindow, operation, publishAndWait } from '@keylab/test-support/stats';

// This file's own stretch of time, across Europe's spring DST change (2023-03-26): no other test writes here.
const WINDOW = { from: '2023-03-25T00:00:00Z', to: '2023-03-29T00:00:00Z' };

let stack: Stack;
let admin: TestUser;
const emails: string[] = [];
const userIds: string[] = [];
const run = crypto.randomUUID().slice(0, 8);
const liveVisitors: string[] = [];

const ATTENDANCE = `query ($input: SeriesInput!) {
  attendanceSeries(input: $input) { signUps points { start signUps } } }`;
const OVERVIEW = `query ($input: OverviewInput!) { statsOverview(input: $input) { visits signUps signUpShare } }`;

async function ask<T>(query: string, input: Record<string, unknown>): Promise<T> {
  const answer = await stack.graphql<Record<string, T>>(query, { variables: { input }, token: admin.token });
  expect(answer.errors).toBeUndefined();
  return Object.values(answer.data!)[0]!;
}
const attendance = (input: Record<string, unknown>) =>
  ask<{ signUps: number; points: { start: string; signUps: number }[] }>(ATTENDANCE, input);
const overview = (from: string, to: string) =>
  ask<{ visits: number; signUps: number; signUpShare: number }>(OVERVIEW, { from, to });

function registered(createdAt: string, visitorId: string | null): UserRegisteredV1 {
  const userId = crypto.randomUUID();
  userIds.push(userId);
  return { version: 1, id: crypto.randomUUID(), userId, nickname: 'someone', createdAt, visitorId };
}
const deliver = (event: UserRegisteredV1) =>
  stack.users.broker.publishJson(stack.signUps.exchange, USER_REGISTERED_ROUTING_KEY, event, { messageId: event.id });
const stored = (userId: string) => stack.stats.db.signUp.findUnique({ where: { userId } });
const waitStored = (userId: string) => waitFor(async () => (await stored(userId)) !== null, 20_000);

async function clearSignUps(): Promise<void> {
  await stack.stats.db.signUp.deleteMany({ where: { at: { gte: new Date(WINDOW.from), lt: new Date(WINDOW.to) } } });
  await stack.stats.db.signUp.deleteMany({ where: { userId: { in: userIds } } });
}

beforeAll(async () => {
  stack = await startStack({ email: true });
  admin = await stack.createUser(['user', 'admin']);
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  await clearSignUps();
});

afterAll(async () => {
  await clearWindow(stack, WINDOW.from, WINDOW.to);
  await clearSignUps();
  for (const visitor of liveVisitors) await clearVisitor(stack, visitor);
  await stack.users.db.user.deleteMany({ where: { email: { in: emails } } });
  await stack?.close();
});

async function signUpThroughGateway(visitor: string): Promise<string> {
  const email = `sign-ups-${crypto.randomUUID()}@example.test`;
  emails.push(email);
  const headers = { 'x-visitor-id': visitor };
  const requested = await stack.graphql(
    'mutation Ask($email: String!) { requestSignUpCode(input: { email: $email }) { accepted } }',
    {
      variables: { email },
      headers,
    },
  );
  expect(requested.errors).toBeUndefined();
  const mail = await stack.mailbox.next(email);
  const signedUp = await stack.graphql<{ signUp: { user: { id: string } } }>(
    'mutation Join($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
    { variables: { input: { email, code: mail.code, password: 'sign-up statistics', nickname: 'counted' } }, headers },
  );
  expect(signedUp.errors).toBeUndefined();
  const userId = uuidOf('User', signedUp.data!.signUp.user.id)!;
  userIds.push(userId);
  return userId;
}

describe('sign-ups through the gateway', () => {
  it('are counted with their visitor in the attendance points and the overview', async () => {
    const visitors = [0, 1, 2].map((i) => `signup-${run}-${i}`);
    liveVisitors.push(...visitors);
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const ids: string[] = [];
    for (const visitor of visitors) ids.push(await signUpThroughGateway(visitor));
    for (const id of ids) await waitStored(id);

    const rows = await Promise.all(ids.map(stored));
    const accounts = await stack.users.db.user.findMany({ where: { id: { in: ids } } });
    for (const [i, row] of rows.entries()) {
      expect(row!.visitorId).toBe(visitors[i]);
      expect(row!.at.getTime()).toBe(accounts.find((account) => account.id === ids[i])!.createdAt.getTime());
    }

    const to = new Date(Date.now() + 60_000).toISOString();
    const series = await attendance({ from, to, interval: 'MINUTE' });
    // Other test files sign up at the same time: at least ours, each in the minute it happened in.
    expect(series.signUps).toBeGreaterThanOrEqual(3);
    expect(series.points.reduce((sum, point) => sum + point.signUps, 0)).toBe(series.signUps);
    for (const row of rows) {
      const minute = new Date(Math.floor(row!.at.getTime() / 60_000) * 60_000).toISOString();
      expect(series.points.find((point) => new Date(point.start).toISOString() === minute)!.signUps).toBeGreaterThanOrEqual(1);
    }
    // Their visits are recorded once the gateway's events are in; each of ours signed up during its visit.
    await waitFor(async () => (await stack.stats.db.visit.count({ where: { visitorId: { in: visitors } } })) >= 3, 20_000);
    const summary = await overview(new Date(Date.now() - 3_600_000).toISOString(), to);
    expect(summary.signUps).toBeGreaterThanOrEqual(3);
    expect(summary.signUpShare).toBeGreaterThan(0);
    expect(summary.signUpShare).toBeLessThanOrEqual(1);
  });
});

describe('sign-ups in a period of the past', () => {
  const V1 = `v1-${run}`;
  const V2 = `v2-${run}`;
  // 22:30 UTC on the 26th is already the 27th in Berlin (CEST, +02:00); the 26th there has 23 hours.
  const u1 = registered('2023-03-26T22:30:00.000Z', V1);
  const u2 = registered('2023-03-25T12:00:00.000Z', null);
  const u3 = registered('2023-03-27T12:00:00.000Z', `v3-${run}`);

  beforeAll(async () => {
    // V1's visit: 22:20 to 22:25, and its sign-up within 30 minutes of its last event; V2 never signs up.
    await publishAndWait(stack, [
      operation('2023-03-26T22:20:00.000Z', { visitor: V1 }),
      operation('2023-03-26T22:25:00.000Z', { visitor: V1 }),
      operation('2023-03-26T10:00:00.000Z', { visitor: V2 }),
    ]);
    for (const event of [u1, u2, u3]) await deliver(event);
    for (const event of [u1, u2, u3]) await waitStored(event.userId);
  });

  it('buckets them in the calendar of the time zone, like visits, and shares them among visits', async () => {
    const berlin = await attendance({
      from: '2023-03-25T00:00:00+01:00',
      to: '2023-03-29T00:00:00+02:00',
      interval: 'DAY',
      timeZone: 'Europe/Berlin',
    });
    expect(berlin.points.map((point) => point.signUps)).toEqual([1, 0, 2, 0]);
    expect(berlin.signUps).toBe(3);
    const utc = await attendance({ ...WINDOW, interval: 'DAY', timeZone: 'UTC' });
    expect(utc.points.map((point) => point.signUps)).toEqual([1, 1, 1, 0]);
    // Two visits, one of them with its visitor's sign-up; u2 has no visitor and u3's visitor no visit.
    expect(await overview(WINDOW.from, WINDOW.to)).toEqual({ visits: 2, signUps: 3, signUpShare: 0.5 });
  });

  it('counts a user.registered delivered twice once, and a late one drops the cached buckets', async () => {
    const before = await attendance({ ...WINDOW, interval: 'DAY', timeZone: 'UTC' });
    await deliver(u1);
    await deliver({ ...u1, id: crypto.randomUUID(), createdAt: '2023-03-28T09:00:00.000Z' });
    // One consumer takes the queue in order: once this one is stored, the duplicates were consumed.
    const late = registered('2023-03-28T10:00:00.000Z', null);
    await deliver(late);
    await waitStored(late.userId);
    expect((await stored(u1.userId))!.at.toISOString()).toBe(u1.createdAt);
    const after = await attendance({ ...WINDOW, interval: 'DAY', timeZone: 'UTC' });
    expect(before.points.map((point) => point.signUps)).toEqual([1, 1, 1, 0]);
    expect(after.points.map((point) => point.signUps)).toEqual([1, 1, 1, 1]);
    expect(after.signUps).toBe(4);
  });

  it('parks a malformed message in the dead-letter queue and goes on', async () => {
    const channel = stack.users.broker.channel;
    await channel.publish(stack.signUps.exchange, USER_REGISTERED_ROUTING_KEY, Buffer.from('not json'), { persistent: true });
    await stack.users.broker.publishJson(stack.signUps.exchange, USER_REGISTERED_ROUTING_KEY, {
      version: 1,
      userId: 'not a uuid',
      createdAt: 'yesterday',
    });
    const next = registered('2023-03-28T11:00:00.000Z', null);
    await deliver(next);
    await waitStored(next.userId);
    await waitFor(async () => (await channel.checkQueue(stack.signUps.deadQueue)).messageCount === 2, 10_000);
    const parked = await channel.get(stack.signUps.deadQueue, { noAck: true });
    expect(parked && parked.content.toString()).toBe('not json');
  });
});
