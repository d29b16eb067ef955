import express from 'express';
import nodemailer from 'nodemailer';
import type { Logger } from '@keylab/logger';
import { checkBroker, createBroker, parseJson, type ConsumeMessage } from '@keylab/messaging';
import { listen, mountHealth, type RunningServer } from '@keylab/server';
import type { EmailConfig } from './config';

/** A rendered email, as the users service puts it on the queue. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

function asEmail(body: unknown): EmailMessage | null {
  if (typeof body !== 'object' || body === null) return null;
  const { to, subject, text, html } = body as Record<string, unknown>;
  if (typeof to !== 'string' || typeof subject !== 'string' || typeof text !== 'string') return null;
  if (html !== undefined && typeof html !== 'string') return null;
  return { to, subject, text, html };
}

/** Consumes email.send from RabbitMQ and sends each message over a pooled SMTP transport. */
export async function startEmailWorker(config: EmailConfig, logger: Logger): Promise<RunningServer> {
  const transport = nodemailer.createTransport(config.SMTP_URL.includes('?') ? config.SMTP_URL : `${config.SMTP_URL}?pool=true`);
  const broker = createBroker({
    url: config.AMQP_URL,
    name: 'email-worker',
    logger,
    setup: async (channel) => {
      await channel.assertQueue(config.EMAIL_QUEUE, { durable: true });
      await channel.prefetch(8);
      await channel.consume(config.EMAIL_QUEUE, (message) => message && void deliver(message));
    },
  });

  async function deliver(message: ConsumeMessage): Promise<void> {
    const email = asEmail(parseJson(message));
    const messageId = message.properties.messageId as string | undefined;
    if (!email) {
      logger.error({ messageId }, 'dropped a malformed email message');
      broker.channel.nack(message, false, false);
      return;
    }
    try {
      await transport.sendMail({ from: config.MAIL_FROM, ...email });
      broker.channel.ack(message);
      logger.info({ messageId }, 'email sent');
    } catch (error) {
      logger.warn({ messageId, err: (error as Error).message }, 'email not sent; will retry');
      // A short pause keeps an SMTP outage from turning into a hot redelivery loop.
      setTimeout(() => broker.channel.nack(message, false, true), config.EMAIL_RETRY_DELAY_MS).unref();
    }
  }

  const app = express();
  mountHealth(app, 'email-worker', { rabbitmq: () => checkBroker(broker), smtp: () => transport.verify() });
  const running = await listen(app, config.PORT);
  await broker.channel.waitForConnect();
  logger.info({ queue: config.EMAIL_QUEUE }, 'email worker ready');
  return {
    ...running,
    async close() {
      await running.close();
      await broker.close();
      transport.close();
    },
  };
}
