// Statistics events with times of a test's choosing, published to a stack's exchange as the gateway and
// the catalogue publish theirs: a test writes them into a stretch of time of its own, so its series never move.
import { newEventId, type StatsEventV1 } from '@keylab/messaging';
import type { Stack } from './stack';
import { waitFor } from '@keylab/testing';

type Common = { visitor: string; user?: string | null };

export const operation = (
  at: string,
  { visitor, user = null }: Common,
  extra: Partial<Extract<StatsEventV1, { kind: 'operation' }>> = {},
): StatsEventV1 => ({
  kind: 'operation',
  id: newEventId(),
  at,
  visitorId: visitor,
  userId: user,
  operationName: 'Catalogue',
  operationType: 'query',
  durationMs: 12,
  outcome: 'success',
  ...extra,
});

export const activity = (
  at: string,
  tag: Extract<StatsEventV1, { kind: 'activity' }>['tag'],
  { visitor, user = null }: Common,
  itemId?: string,
): StatsEventV1 => ({
  kind: 'activity',
  id: newEventId(),
  at,
  tag,
  visitorId: visitor,
  userId: user,
  ...(itemId ? { itemId } : {}),
});

/** Publishes events to the stack's statistics exchange, as the gateway and keyboards do. */
export async function publish(stack: Stack, events: StatsEventV1[]): Promise<void> {
  await stack.stats.broker.publishJson(stack.statsExchange, 'test', { version: 1, events });
}

/** Waits until the stats database holds `count` events of these visitors. */
export async function waitForEvents(stack: Stack, visitors: string[], count: number): Promise<void> {
  await waitFor(async () => (await stack.stats.db.event.count({ where: { visitorId: { in: visitors } } })) >= count, 20_000);
}

/** Publishes events and waits until every one of them is stored. */
export async function publishAndWait(stack: Stack, events: StatsEventV1[]): Promise<void> {
  await publish(stack, events);
  await waitForEvents(stack, [...new Set(events.map((event) => event.visitorId!))], events.length);
}

/** Removes what a test file wrote in its own window of time (before, in case a run stopped halfway, and after). */
export async function clearWindow(stack: Stack, from: string, to: string): Promise<void> {
  const range = { gte: new Date(from), lt: new Date(to) };
  await stack.stats.db.event.deleteMany({ where: { at: range } });
  await stack.stats.db.activitySlot.deleteMany({ where: { slot: range } });
  await stack.stats.db.visit.deleteMany({ where: { startedAt: range } });
}

/** Removes every event, slot and visit of one visitor. */
export async function clearVisitor(stack: Stack, visitorId: string): Promise<void> {
  await stack.stats.db.event.deleteMany({ where: { visitorId } });
  await stack.stats.db.activitySlot.deleteMany({ where: { visitorId } });
  await stack.stats.db.visit.deleteMany({ where: { visitorId } });
}
