import type { Logger } from '@keylab/logger';
import {
  assertQuorumQueue,
  assertStatsEventsTopology,
  statsDeadQueue,
  statsIngestQueues,
  type ConfirmChannel,
  type ConsumeMessage,
  type StatsEventV1,
} from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { parseEventBatch } from './events';
import { ingestEvents, type IngestResult } from './ingest';
import { settle } from './settle';

export interface EventConsumerOptions {
  db: StatsDb;
  logger: Logger;
  exchange: string;
  queue: string;
  /** A batch is written when it holds this many events, or `flushIntervalMs` after its first one. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** After every written batch (the result cache listens for late events). */
  onIngested?: (result: IngestResult) => void | Promise<void>;
}

interface Delivery {
  channel: ConfirmChannel;
  message: ConsumeMessage;
  events: StatsEventV1[];
}

/**
 * Consumes statistics events in batches: messages stay unacknowledged until their events are committed,
 * so a crash or a database outage only means redelivery, and redelivered events are dropped by id. A
 * failed write is retried with backoff while RabbitMQ holds back further messages (prefetch).
 */
export function eventConsumer(options: EventConsumerOptions) {
  const { db, logger, exchange, queue, batchSize = 1_000, flushIntervalMs = 200 } = options;
  const deadQueue = statsDeadQueue(queue);
  const pending: Delivery[] = [];
  let pendingEvents = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let busy = false;
  let closing = false;
  let consumer: { channel: ConfirmChannel; tag: string } | undefined;

  function flushSoon(): void {
    if (pendingEvents >= batchSize) {
      flush();
    } else if (!timer) {
      timer = setTimeout(flush, flushIntervalMs);
      timer.unref();
    }
  }

  /**
   * Starts writing what waits, up to batchSize events, unless a write is running: then what arrives meanwhile
   * waits for it and goes in the next batch, so under load batches grow towards batchSize and the rollups
   * and visits are written once per large batch instead of once per small one (group commit).
   */
  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (busy || !pending.length) return;
    let taken = 0;
    let events = 0;
    while (taken < pending.length && (taken === 0 || events + pending[taken]!.events.length <= batchSize)) {
      events += pending[taken]!.events.length;
      taken += 1;
    }
    const batch = pending.splice(0, taken);
    pendingEvents -= events;
    busy = true;
    writing = write(batch).finally(() => {
      busy = false;
      // What arrived meanwhile has waited as long as the write took: it goes now.
      flush();
    });
  }

  async function write(batch: Delivery[]): Promise<void> {
    const events = batch.flatMap((delivery) => delivery.events);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await ingestEvents(db, events);
        for (const { channel, message } of batch) settle(() => channel.ack(message));
        logger.debug({ events: events.length, inserted: result.inserted }, 'statistics events written');
        await options.onIngested?.(result);
        return;
      } catch (error) {
        if (closing) {
          for (const { channel, message } of batch) settle(() => channel.nack(message, false, true));
          return;
        }
        const delayMs = Math.min(250 * 2 ** attempt, 10_000);
        logger.warn(
          { err: (error as Error).message, events: events.length, retryInMs: delayMs },
          'statistics events not written; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  return {
    /** The broker setup: declares exchange, queue, dead queue and binding, and starts consuming (again after a reconnect). */
    async setup(channel: ConfirmChannel): Promise<void> {
      await assertStatsEventsTopology(channel, exchange);
      for (const durable of statsIngestQueues(exchange, queue)) await assertQuorumQueue(channel, durable);
      // Messages, not events: a publisher batch holds up to 500 events, so this bounds what waits in memory.
      await channel.prefetch(200);
      if (closing) return;
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (!message) return;
        const parsed = parseEventBatch(message.content);
        if (!parsed) {
          logger.warn({ messageId: message.properties.messageId }, 'not a statistics event batch; parked');
          settle(() =>
            channel.sendToQueue(deadQueue, message.content, { persistent: true, messageId: message.properties.messageId }),
          );
          settle(() => channel.ack(message));
          return;
        }
        if (parsed.invalid)
          logger.warn(
            { messageId: message.properties.messageId, dropped: parsed.invalid },
            'malformed statistics events dropped',
          );
        pending.push({ channel, message, events: parsed.events });
        pendingEvents += parsed.events.length;
        flushSoon();
      });
      consumer = { channel, tag: consumerTag };
    },
    /** Stops taking messages and writes what was taken. */
    async close(): Promise<void> {
      closing = true;
      if (consumer) await consumer.channel.cancel(consumer.tag).catch(() => undefined);
      flush();
      while (busy) await writing;
    },
  };
}
