// Statistics events with times of a test's choosing, published to a stack's exchange as the gateway and
// the catalogue publish theirs: a test writes them into a stretch of time of its own, so its series never move.
import { newEventId, type StatsEventV1 } from '@keylab/messaging';
import type { Stack } from './stack';
import { waitFor } from '@keylab/testing';
import { refreshRollups, removeVisitors } from '@keylab/stats-subgraph';

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
  await stack.stats.db.visit.deleteMany({ where: { startedAt: range } });
  // The rollups hold no visitor rows: recomputed for the window from what is left.
  await refreshRollups(stack.stats.db, range.gte, range.lt);
}

/** Removes every event and visit of one visitor, and recomputes the rollups of the days they touched. */
export async function clearVisitor(stack: Stack, visitorId: string): Promise<void> {
  await removeVisitors(stack.stats.db, { ids: [visitorId] });
}

/** clearVisitor for several visitors. */
export async function clearVisitors(stack: Stack, visitorIds: string[]): Promise<void> {
  for (const visitorId of visitorIds) await clearVisitor(stack, visitorId);
}

/**
 * Adds `events` events of `tag` by `visitorId` in the minute `slot` straight to the activity rollups (at
 * every width), behind the consumer's back, with no raw event: as a stale write a cache must not see.
 */
export async function sneakIntoRollups(stack: Stack, slot: Date, tag: string, visitorId: string, events: number): Promise<void> {
  await stack.stats.db.$executeRaw`
    INSERT INTO activity_rollups (width, slot, tag, events, visitors)
    SELECT w.width, date_bin(w.width * INTERVAL '1 minute', ${slot}::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00'), ${tag}, ${events}::int,
           hll_add(hll_empty(14, 5, -1, 1), hll_hash_text(${visitorId}))
    FROM (VALUES (1), (15), (60), (1440)) AS w(width)
    ON CONFLICT (width, slot, tag) DO UPDATE
      SET events = activity_rollups.events + excluded.events, visitors = hll_union(activity_rollups.visitors, excluded.visitors)`;
}

/** Events in the 15-minute rollup over [from, to). */
export async function rolledUpEvents(stack: Stack, from: string, to: string): Promise<number> {
  const [row] = await stack.stats.db.$queryRaw<{ events: number }[]>`
    SELECT coalesce(sum(events), 0)::int AS events FROM activity_rollups
    WHERE width = 15 AND slot >= ${new Date(from)}::timestamptz AND slot < ${new Date(to)}::timestamptz`;
  return row!.events;
}
