import express from 'express';
import type { Logger } from '@keylab/logger';
import { checkBroker, createBroker, emailTopology, emailWorkerQueues } from '@keylab/messaging';
import { checkRedis, createRedis } from '@keylab/redis';
import { listen, mountHealth, type RunningServer } from '@keylab/server';
import { waitForBroker } from './broker-start';
import type { EmailConfig } from './config';
import { emailConsumer } from './consumer';
import { createDeduplicator } from './dedup';
import { handleEmailDelivery, type EmailHandlerDeps } from './handler';
import { createMailer } from './mailer';

/** How long the worker waits for RabbitMQ at start before it gives up (and its supervisor may start it again). */
const BROKER_START_TIMEOUT_MS = 10_000;

/**
 * Consumes EmailRequestV1 messages and sends each one over a pooled SMTP transport, at most once per
 * request id (Redis). A transient failure waits in the next retry tier's queue and comes back; a
 * permanent one, a malformed message or the last tier's failure is parked in the dead queue. Fails to
 * start, after closing what it opened, when its port is taken or RabbitMQ cannot be reached.
 */
export async function startEmailWorker(config: EmailConfig, logger: Logger): Promise<RunningServer> {
  const topology = emailTopology({ exchange: config.EMAIL_EXCHANGE, queue: config.EMAIL_QUEUE }, config.EMAIL_RETRY_DELAYS_MS);
  const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
  const redis = createRedis(config.REDIS_URL, logger);
  const deps: EmailHandlerDeps = { retryTiers: topology.retryTiers, dedup: createDeduplicator(redis, logger), send: mailer.send };
  const consumer = emailConsumer({
    topology,
    prefetch: config.EMAIL_PREFETCH,
    logger,
    handle: (delivery) => handleEmailDelivery(delivery, deps),
  });
  const broker = createBroker({
    url: config.AMQP_URL,
    name: 'email-worker',
    logger,
    setup: (channel) => consumer.setup(channel),
    queues: emailWorkerQueues(topology),
  });

  const app = express();
  mountHealth(app, 'email-worker', {
    rabbitmq: () => checkBroker(broker),
    smtp: () => mailer.verify(),
    redis: () => checkRedis(redis),
  });

  let running: RunningServer | undefined;
  async function close(): Promise<void> {
    await consumer.close();
    await running?.close();
    mailer.close();
    await broker.close();
    await redis.quit().catch(() => redis.disconnect());
  }

  try {
    running = await listen(app, config.PORT, config.HOST);
    await waitForBroker(broker, BROKER_START_TIMEOUT_MS);
  } catch (error) {
    await close();
    throw error;
  }
  logger.info(
    {
      exchange: topology.exchange,
      queue: topology.queue,
      retryQueues: topology.retryTiers.map((t) => t.queue),
      deadQueue: topology.deadQueue,
    },
    'email worker ready',
  );

  let closed: Promise<void> | undefined;
  return { ...running, close: () => (closed ??= close()) };
}
