import { v7 as uuidv7 } from 'uuid';
import type { ConfirmChannel } from 'amqplib';
import type { DurableQueue } from './queues';
import type { Logger } from '@keylab/logger';
import type { Broker } from './broker';

/**
 * Statistics events: the gateway publishes one per GraphQL operation, the keyboards subgraph one per
 * view or edit of an item; the stats subgraph consumes them all. A topic exchange, so more consumers
 * (an archive, a live dashboard) can bind without the publishers knowing.
 */
export const STATS_EVENTS_EXCHANGE = 'stats.events';

export const assertStatsEventsTopology = (channel: ConfirmChannel, exchange = STATS_EVENTS_EXCHANGE) =>
  channel.assertExchange(exchange, 'topic', { durable: true });

/** Where the stats service parks what it cannot ingest. */
export const statsDeadQueue = (queue: string) => `${queue}.dead`;

/** The stats service's ingestion queue (every event of the exchange) and its dead-letter queue. */
export const statsIngestQueues = (exchange: string, queue: string): DurableQueue[] => [
  { name: queue, bindings: [{ exchange, routingKey: '#' }] },
  { name: statsDeadQueue(queue) },
];

export const ACTIVITY_ITEMS = ['keyboard', 'box', 'kit', 'keycap', 'switch'] as const;
export type ActivityTag = `${'see' | 'edit'}_${(typeof ACTIVITY_ITEMS)[number]}`;
export const ACTIVITY_TAGS = ACTIVITY_ITEMS.flatMap((item) => [`see_${item}`, `edit_${item}`]) as ActivityTag[];

interface StatsEventBase {
  /** A UUIDv7: unique, and time-ordered so that the consumer's primary key grows at its right edge. */
  id: string;
  /** ISO 8601 time the event happened (not when it was published). */
  at: string;
  visitorId: string | null;
  userId: string | null;
}

export interface OperationEventV1 extends StatsEventBase {
  kind: 'operation';
  operationName: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  durationMs: number;
  outcome: 'success' | 'error';
  /** extensions.code of the first error, when the outcome is an error. */
  errorCode?: string;
}

export interface ActivityEventV1 extends StatsEventBase {
  kind: 'activity';
  tag: ActivityTag;
  /** The item seen or edited; absent for a list. */
  itemId?: string;
}

export type StatsEventV1 = OperationEventV1 | ActivityEventV1;

/** One message body: events in the order they happened at one publisher. */
export interface StatsEventBatchV1 {
  version: 1;
  events: StatsEventV1[];
}

export const newEventId = () => uuidv7();

export interface StatsEventPublisherOptions {
  broker: Broker;
  logger: Logger;
  exchange?: string;
  /** Routing key of every batch: the publisher's name (operation, activity). */
  routingKey: string;
  /** A batch leaves after this long, or sooner when it is full. */
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Beyond this many waiting events (a long outage) the oldest are dropped, so memory stays bounded. */
  maxBuffered?: number;
}

export interface StatsEventPublisher {
  /** Takes the event into memory and returns at once; it is sent in the next batch. */
  publish(event: StatsEventV1): void;
  /** Events waiting for RabbitMQ to confirm them. */
  pending(): number;
  /** Events dropped because the buffer was full. */
  dropped(): number;
  /** Sends what is buffered, waiting at most `timeoutMs` for the broker. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Batches statistics events in memory and publishes each batch with publisher confirms. A request only
 * pays for an array push. While RabbitMQ is away the events wait here (up to `maxBuffered`) and go out
 * when it is back; a batch that is not confirmed is sent again (the consumer drops duplicates by event
 * id). A crash loses what is still buffered.
 */
export function createStatsEventPublisher(options: StatsEventPublisherOptions): StatsEventPublisher {
  const {
    broker,
    logger,
    exchange = STATS_EVENTS_EXCHANGE,
    routingKey,
    flushIntervalMs = 100,
    maxBatch = 500,
    maxBuffered = 100_000,
  } = options;
  let buffer: StatsEventV1[] = [];
  let sending: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let droppedCount = 0;
  let closing = false;
  let retryDelayMs = 0;

  function schedule(delayMs: number): void {
    if (timer || sending) return;
    timer = setTimeout(() => {
      timer = null;
      sending = drain().finally(() => {
        sending = null;
        if (buffer.length && !closing) schedule(retryDelayMs || flushIntervalMs);
      });
    }, delayMs);
    timer.unref();
  }

  async function drain(): Promise<void> {
    while (buffer.length) {
      const events = buffer.slice(0, maxBatch);
      try {
        const batch: StatsEventBatchV1 = { version: 1, events };
        await broker.publishJson(exchange, routingKey, batch, { messageId: events[0]!.id, timeoutMs: 5_000 });
        buffer = buffer.slice(events.length);
        retryDelayMs = 0;
      } catch (error) {
        retryDelayMs = Math.min(Math.max(retryDelayMs * 2, 250), 5_000);
        logger.warn(
          { err: (error as Error).message, pending: buffer.length },
          'statistics events not published yet; kept for a retry',
        );
        return;
      }
    }
  }

  return {
    publish(event) {
      if (buffer.length >= maxBuffered) {
        buffer.shift();
        droppedCount += 1;
        if (droppedCount % 1_000 === 1)
          logger.error({ dropped: droppedCount }, 'statistics event buffer full; oldest events dropped');
      }
      buffer.push(event);
      schedule(buffer.length >= maxBatch ? 0 : flushIntervalMs);
    },
    pending: () => buffer.length,
    dropped: () => droppedCount,
    async close(timeoutMs = 5_000) {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        await (sending ?? (sending = drain().finally(() => (sending = null))));
        if (!buffer.length) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
      }
      if (buffer.length) logger.warn({ lost: buffer.length }, 'statistics events still unpublished at shutdown');
    },
  };
}
