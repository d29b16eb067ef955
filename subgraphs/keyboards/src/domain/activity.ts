import type { Logger } from '@keylab/logger';
import type { Broker, ConfirmChannel } from '@keylab/messaging';

/** Statistics events: a topic exchange, routing key = the activity tag (see_keyboard, edit_box, ...). */
export const STATS_EVENTS = 'stats.events';

export const assertStatsEventsTopology = (channel: ConfirmChannel) =>
  channel.assertExchange(STATS_EVENTS, 'topic', { durable: true });

export type ActivityTag = `${'see' | 'edit'}_${'keyboard' | 'box' | 'kit' | 'keycap' | 'switch'}`;

export interface ActivityEventV1 {
  version: 1;
  id: string;
  tag: ActivityTag;
  at: string;
  visitorId: string | null;
  userId: string | null;
  /** The item seen or edited; absent for a list. */
  itemId?: string;
}

export interface ActivityContext {
  visitorId: string | null;
  viewer: { userId: string } | null;
}

/**
 * Publishes an activity event without making the request wait: the broker connection buffers while
 * RabbitMQ is away and sends when it is back; a failure is logged, never returned to the caller.
 */
export function activityPublisher(broker: Broker, logger: Logger) {
  return (ctx: ActivityContext, tag: ActivityTag, itemId?: string): void => {
    const event: ActivityEventV1 = {
      version: 1,
      id: crypto.randomUUID(),
      tag,
      at: new Date().toISOString(),
      visitorId: ctx.visitorId,
      userId: ctx.viewer?.userId ?? null,
      ...(itemId ? { itemId } : {}),
    };
    broker.publishJson(STATS_EVENTS, tag, event, { messageId: event.id, timeoutMs: 60_000 }).catch((error: Error) => {
      logger.warn({ tag, err: error.message }, 'activity event not published');
    });
  };
}

export type EmitActivity = ReturnType<typeof activityPublisher>;
