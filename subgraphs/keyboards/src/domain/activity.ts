import { newEventId, type ActivityTag, type StatsEventPublisher } from '@keylab/messaging';

/** Who an event is about: the request's visitor and, when signed in, its user. */
export interface Actor {
  visitorId: string | null;
  userId: string | null;
}

/** Records a view or an edit (of one item, when given) for statistics. */
export type EmitActivity = (tag: ActivityTag, itemId?: string) => void;

/**
 * Emitters of activity events, one per request, bound to its actor. The request never waits for
 * RabbitMQ (see createStatsEventPublisher).
 */
export function activityEmitters(publisher: StatsEventPublisher) {
  return (actor: Actor): EmitActivity =>
    (tag, itemId) => {
      publisher.publish({
        kind: 'activity',
        id: newEventId(),
        tag,
        at: new Date().toISOString(),
        visitorId: actor.visitorId,
        userId: actor.userId,
        ...(itemId ? { itemId } : {}),
      });
    };
}
