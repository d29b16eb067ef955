import express from 'express';
import nodemailer from 'nodemailer';
import type { Logger } from '@keylab/logger';
import {
  assertEmailWorkerTopology,
  checkBroker,
  createBroker,
  emailTopology,
  type ConfirmChannel,
  type ConsumeMessage,
  type EmailRequestV1,
} from '@keylab/messaging';
import { checkRedis, createRedis } from '@keylab/redis';
import { listen, mountHealth, type RunningServer } from '@keylab/server';
import type { EmailConfig } from './config';
import { createDeduplicator } from './dedup';
import { classifySendError } from './failures';
import { parseEmailRequest } from './request';
import { renderEmail, TemplateParamsError, type RenderedEmail } from './templates';

/** Failed attempts before this delivery (absent on a first delivery). */
export const ATTEMPTS_HEADER = 'x-email-attempts';
/** On a dead message: `malformed`, `permanent` or `retries-exhausted`. */
export const DEAD_REASON_HEADER = 'x-email-dead-reason';
/** On a dead message: what went wrong (field names, or the SMTP reply). */
export const ERROR_HEADER = 'x-email-error';

export type DeadReason = 'malformed' | 'permanent' | 'retries-exhausted';

/** Bounds on a single send, so a stalled server cannot hold a message (and shutdown) for nodemailer's default hour. */
const SMTP_DEFAULTS = { pool: 'true', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '60000' };
/** How long close() waits for the sends in progress before it closes the connections under them. */
const DRAIN_TIMEOUT_MS = 10_000;

/** The SMTP URL with pooling and timeouts, unless the URL sets them itself. */
export function smtpTransportUrl(raw: string): string {
  const url = new URL(raw);
  for (const [name, value] of Object.entries(SMTP_DEFAULTS)) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  return url.toString();
}

/** The Message-ID of the email for a request: the same for every delivery, so duplicates can be recognised. */
export const messageIdFor = (requestId: string) => `<${requestId}@keylab>`;

function failedAttempts(message: ConsumeMessage): number {
  const value = Number(message.properties.headers?.[ATTEMPTS_HEADER] ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** The message's headers minus the x-death bookkeeping RabbitMQ added on its way through a retry tier. */
function carriedHeaders(message: ConsumeMessage): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(message.properties.headers ?? {}).filter(([name]) => !/^x-(death|first-death|last-death)/.test(name)),
  );
}

/** Publishes a copy of `message` straight to `queue` and resolves once RabbitMQ has confirmed it. */
function forward(channel: ConfirmChannel, queue: string, message: ConsumeMessage, headers: Record<string, unknown>) {
  return new Promise<void>((resolve, reject) => {
    channel.publish(
      '',
      queue,
      message.content,
      {
        persistent: true,
        contentType: message.properties.contentType as string | undefined,
        messageId: message.properties.messageId as string | undefined,
        timestamp: message.properties.timestamp as number | undefined,
        headers: { ...carriedHeaders(message), ...headers },
      },
      (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
  });
}

/**
 * Consumes EmailRequestV1 messages and sends each one over a pooled SMTP transport, at most once per
 * request id (Redis). A transient failure waits in the next retry tier's queue and comes back; a
 * permanent one, a malformed message or the last tier's failure is parked in the dead queue. Every
 * message is acknowledged only after its outcome (sent, forwarded to a tier, parked) is safe.
 */
export async function startEmailWorker(config: EmailConfig, logger: Logger): Promise<RunningServer> {
  const topology = emailTopology({ exchange: config.EMAIL_EXCHANGE, queue: config.EMAIL_QUEUE }, config.EMAIL_RETRY_DELAYS_MS);
  const transport = nodemailer.createTransport(smtpTransportUrl(config.SMTP_URL));
  const redis = createRedis(config.REDIS_URL, logger);
  const dedup = createDeduplicator(redis, logger);
  const inFlight = new Set<Promise<void>>();
  let closing = false;
  let consumer: { channel: ConfirmChannel; tag: string } | undefined;

  const broker = createBroker({
    url: config.AMQP_URL,
    name: 'email-worker',
    logger,
    // Runs again on every reconnect, with a new channel: deliveries are acked on the channel they came on.
    setup: async (channel) => {
      await assertEmailWorkerTopology(channel, topology);
      await channel.prefetch(config.EMAIL_PREFETCH);
      if (closing) return;
      const { consumerTag } = await channel.consume(topology.queue, (message) => {
        if (!message) {
          logger.warn({ queue: topology.queue }, 'rabbitmq cancelled the email consumer');
          return;
        }
        const handling = handle(channel, message).catch((error: unknown) => {
          logger.error({ messageId: message.properties.messageId, err: (error as Error).message }, 'email message not handled');
          // Back on the queue after a pause, so a broken broker path cannot spin.
          setTimeout(() => settle(() => channel.nack(message, false, true)), 1_000).unref();
        });
        inFlight.add(handling);
        void handling.finally(() => inFlight.delete(handling));
      });
      consumer = { channel, tag: consumerTag };
    },
  });

  /** Acks (or nacks) on the delivering channel; if that channel is gone, RabbitMQ redelivers anyway. */
  function settle(action: () => void): void {
    try {
      action();
    } catch (error) {
      logger.debug({ err: (error as Error).message }, 'could not settle a message: its channel is closed');
    }
  }

  async function handle(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const attempt = failedAttempts(message) + 1;
    const parsed = parseEmailRequest(message.content);
    if (!parsed.ok) {
      const messageId = message.properties.messageId as string | undefined;
      await park(channel, message, { messageId, attempt }, 'malformed', parsed.problem);
      return;
    }
    const { request } = parsed;
    const context = { messageId: request.id, template: request.template, attempt };

    let email: RenderedEmail;
    try {
      email = renderEmail(request.template, request.locale, request.params);
    } catch (error) {
      if (!(error instanceof TemplateParamsError)) throw error;
      await park(channel, message, context, 'malformed', error.message);
      return;
    }

    const claim = await dedup.claim(request.id);
    if (claim.state === 'sent') {
      settle(() => channel.ack(message));
      logger.info(context, 'email already sent; duplicate request skipped');
      return;
    }
    if (claim.state === 'busy') {
      await retryLater(channel, message, context, 'being sent by another delivery');
      return;
    }

    try {
      await send(request, email);
    } catch (error) {
      await dedup.release(request.id, claim.token);
      const failure = classifySendError(error);
      const reply =
        typeof (error as { response?: unknown }).response === 'string' ? (error as { response: string }).response : '';
      if (failure.kind === 'permanent') {
        await park(channel, message, { ...context, reason: failure.reason }, 'permanent', reply || failure.reason);
      } else {
        await retryLater(channel, message, context, failure.reason, reply);
      }
      return;
    }
    await dedup.markSent(request.id);
    settle(() => channel.ack(message));
    logger.info(context, 'email sent');
  }

  async function send(request: EmailRequestV1, email: RenderedEmail): Promise<void> {
    await transport.sendMail({
      from: config.MAIL_FROM,
      to: request.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: messageIdFor(request.id),
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }

  type Context = { messageId?: string; template?: string; attempt: number };

  /** After a transient failure: into the next retry tier, or, past the last one, into the dead queue. */
  async function retryLater(channel: ConfirmChannel, message: ConsumeMessage, context: Context, reason: string, reply = '') {
    const tier = topology.retryTiers[context.attempt - 1];
    if (!tier) {
      await park(channel, message, { ...context, reason }, 'retries-exhausted', reply || reason);
      return;
    }
    await forward(channel, tier.queue, message, { [ATTEMPTS_HEADER]: context.attempt });
    settle(() => channel.ack(message));
    logger.warn({ ...context, reason, retryInMs: tier.ttlMs }, 'email not sent; will retry');
  }

  /** Into the dead queue, with why and after how many attempts. */
  async function park(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    context: Context & { reason?: string },
    deadReason: DeadReason,
    detail: string,
  ) {
    await forward(channel, topology.deadQueue, message, {
      [ATTEMPTS_HEADER]: context.attempt,
      [DEAD_REASON_HEADER]: deadReason,
      [ERROR_HEADER]: detail.slice(0, 500),
      'x-email-dead-at': new Date().toISOString(),
    });
    settle(() => channel.ack(message));
    // `detail` may quote an SMTP reply (which can name the recipient): only the malformed case's field names are logged.
    const fields = deadReason === 'malformed' ? { problem: detail } : {};
    logger.error({ ...context, ...fields, deadReason, queue: topology.deadQueue }, 'email request parked in the dead queue');
  }

  const app = express();
  mountHealth(app, 'email-worker', {
    rabbitmq: () => checkBroker(broker),
    smtp: () => transport.verify(),
    redis: () => checkRedis(redis),
  });
  const running = await listen(app, config.PORT);
  await broker.channel.waitForConnect();
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
  async function close(): Promise<void> {
    closing = true;
    if (consumer) {
      const { channel, tag } = consumer;
      await channel.cancel(tag).catch(() => undefined);
    }
    await running.close();
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (inFlight.size && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    if (inFlight.size) logger.warn({ inFlight: inFlight.size }, 'closing with sends in progress; rabbitmq will redeliver them');
    transport.close();
    await broker.close();
    await redis.quit().catch(() => redis.disconnect());
  }

  return { ...running, close: () => (closed ??= close()) };
}
