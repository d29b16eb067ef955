import type { Logger } from '@keylab/logger';
import { assertEmailWorkerTopology, type ConfirmChannel, type ConsumeMessage, type EmailTopology } from '@keylab/messaging';
import { deadHeaders, failedAttempts, forward, retryHeaders } from './forward';
import type { EmailDelivery, Outcome } from './handler';

/** How long close() waits for the messages being handled before it lets the connections under them close. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface EmailConsumerOptions {
  topology: EmailTopology;
  /** Messages handled at once. */
  prefetch: number;
  logger: Logger;
  handle(delivery: EmailDelivery): Promise<Outcome>;
}

/**
 * Consumes the email queue: hands each message to `handle` and carries out the outcome on RabbitMQ. A
 * message is acknowledged only once its outcome is safe (sent, or its copy in a retry tier or the dead
 * queue confirmed); one that could not be handled goes back on the queue.
 */
export function emailConsumer({ topology, prefetch, logger, handle }: EmailConsumerOptions) {
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  let consumer: { channel: ConfirmChannel; tag: string } | undefined;

  /** Acks (or nacks) on the delivering channel; if that channel is gone, RabbitMQ redelivers anyway. */
  function settle(action: () => void): void {
    try {
      action();
    } catch (error) {
      logger.debug({ err: (error as Error).message }, 'could not settle a message: its channel is closed');
    }
  }

  function receive(channel: ConfirmChannel, message: ConsumeMessage): void {
    const messageId = message.properties.messageId as string | undefined;
    const handling = handle({ content: message.content, messageId, failedAttempts: failedAttempts(message) })
      .then((outcome) => carryOut(outcome, channel, message))
      .catch((error: unknown) => {
        logger.error({ messageId, err: (error as Error).message }, 'email message not handled');
        // Back on the queue after a pause, so a broken broker path cannot spin.
        setTimeout(() => settle(() => channel.nack(message, false, true)), 1_000).unref();
      });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  }

  async function carryOut(outcome: Outcome, channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const { context } = outcome;
    switch (outcome.kind) {
      case 'sent':
        settle(() => channel.ack(message));
        logger.info(context, 'email sent');
        return;
      case 'duplicate':
        settle(() => channel.ack(message));
        logger.info(context, 'email already sent; duplicate request skipped');
        return;
      case 'retry':
        await forward(channel, outcome.tier.queue, message, retryHeaders(context.attempt));
        settle(() => channel.ack(message));
        logger.warn({ ...context, retryInMs: outcome.tier.ttlMs }, 'email not sent; will retry');
        return;
      case 'dead': {
        const { deadReason, detail } = outcome;
        await forward(channel, topology.deadQueue, message, deadHeaders(context.attempt, deadReason, detail));
        settle(() => channel.ack(message));
        // `detail` may quote an SMTP reply (which can name the recipient): only the malformed case's field names are logged.
        const problem = deadReason === 'malformed' ? { problem: detail } : {};
        logger.error({ ...context, ...problem, deadReason, queue: topology.deadQueue }, 'email request parked in the dead queue');
      }
    }
  }

  return {
    /** The broker setup: runs again on every reconnect, with a new channel, and acks on the channel a message came on. */
    async setup(channel: ConfirmChannel): Promise<void> {
      await assertEmailWorkerTopology(channel, topology);
      await channel.prefetch(prefetch);
      if (closing) return;
      const { consumerTag } = await channel.consume(topology.queue, (message) => {
        if (message) receive(channel, message);
        else logger.warn({ queue: topology.queue }, 'rabbitmq cancelled the email consumer');
      });
      consumer = { channel, tag: consumerTag };
    },
    /** Stops taking messages and waits a while for those being handled. */
    async close(): Promise<void> {
      closing = true;
      if (consumer) await consumer.channel.cancel(consumer.tag).catch(() => undefined);
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (inFlight.size && Date.now() < deadline) {
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      if (inFlight.size) logger.warn({ inFlight: inFlight.size }, 'closing with sends in progress; rabbitmq will redeliver them');
    },
  };
}
