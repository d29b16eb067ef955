import { newEventId, type ActivityTag, type StatsEventPublisher } from '@keylab/messaging';

export interface ActivityContext {
  visitorId: string | null;
  viewer: { userId: string } | null;
}

/** Records a view or an edit for statistics; the request never waits for RabbitMQ (see createStatsEventPublisher). */
export function activityEmitter(publisher: StatsEventPublisher) {
  return (ctx: ActivityContext, tag: ActivityTag, itemId?: string): void => {
    publisher.publish({
      kind: 'activity',
      id: newEventId(),
      tag,
      at: new Date().toISOString(),
      visitorId: ctx.visitorId,
      userId: ctx.viewer?.userId ?? null,
      ...(itemId ? { itemId } : {}),
    });
  };
}

export type EmitActivity = ReturnType<typeof activityEmitter>;
