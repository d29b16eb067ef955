import type { Logger } from '@keylab/logger';
import { assertSignUpsTopology, type ConfirmChannel, type ConsumeMessage, type SignUpsTopology } from '@keylab/messaging';
import type { StatsDb } from '../db/client';
import { parseSignUp, recordSignUp } from './sign-ups';
import { settle } from './settle';

export interface SignUpConsumerOptions {
  db: StatsDb;
  logger: Logger;
  topology: SignUpsTopology;
  /** After a sign-up older than a minute was stored (the result cache drops closed buckets). */
  onLate?: () => void | Promise<void>;
}

/**
 * Consumes user.registered one message at a time: acknowledged after its row is committed, so a crash
 * means a redelivery, which the sign_ups key makes harmless. Malformed messages are parked in the dead
 * queue; a failed write is retried with backoff.
 */
export function signUpConsumer(options: SignUpConsumerOptions) {
  const { db, logger, topology } = options;
  let writing: Promise<void> = Promise.resolve();
  let closing = false;
  let consumer: { channel: ConfirmChannel; tag: string } | undefined;

  async function write(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const signUp = parseSignUp(message.content);
    if (!signUp) {
      logger.warn({ messageId: message.properties.messageId }, 'not a user.registered event; parked');
      settle(() =>
        channel.sendToQueue(topology.deadQueue, message.content, { persistent: true, messageId: message.properties.messageId }),
      );
      settle(() => channel.ack(message));
      return;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { late } = await recordSignUp(db, signUp);
        settle(() => channel.ack(message));
        if (late) await options.onLate?.();
        return;
      } catch (error) {
        if (closing) return settle(() => channel.nack(message, false, true));
        const delayMs = Math.min(250 * 2 ** attempt, 10_000);
        logger.warn({ err: (error as Error).message, retryInMs: delayMs }, 'sign-up not written; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  return {
    /** The broker setup: declares the queues and binding, and starts consuming (again after a reconnect). */
    async setup(channel: ConfirmChannel): Promise<void> {
      await assertSignUpsTopology(channel, topology);
      // Applies to the consumers started after it on this channel: this one.
      await channel.prefetch(50);
      if (closing) return;
      const { consumerTag } = await channel.consume(topology.queue, (message) => {
        if (message) writing = writing.then(() => write(channel, message));
      });
      consumer = { channel, tag: consumerTag };
    },
    /** Stops taking messages and writes what was taken. */
    async close(): Promise<void> {
      closing = true;
      if (consumer) await consumer.channel.cancel(consumer.tag).catch(() => undefined);
      await writing;
    },
  };
}
