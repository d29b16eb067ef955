import { newEventId, type StatsEventV1 } from '@keylab/messaging';
import { waitFor, type Stack } from '@keylab/testing';

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

/** Removes what a test file wrote in its own window of time. */
export async function clearWindow(stack: Stack, from: string, to: string): Promise<void> {
  const range = { gte: new Date(from), lt: new Date(to) };
  await stack.stats.db.event.deleteMany({ where: { at: range } });
  await stack.stats.db.activitySlot.deleteMany({ where: { slot: range } });
  await stack.stats.db.visit.deleteMany({ where: { startedAt: range } });
}
