import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { emailSettings, startEmailWorker } from '@keylab/email-worker';
import { createLogger } from '@keylab/logger';
import { createBroker, type Broker } from '@keylab/messaging';
import type { RunningServer } from '@keylab/server';
import { waitFor } from '@keylab/testing';

const logger = createLogger('email-test', 'silent');
const queue = `test.email.${crypto.randomUUID()}`;
const inbox: { to: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let worker: RunningServer;
let publisher: Broker;
let failNext = 0;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failNext > 0) {
          failNext -= 1;
          return callback(new Error('451 try again later'));
        }
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  const port = (smtp.server.address() as AddressInfo).port;
  worker = await startEmailWorker(
    parseConfig(emailSettings, {
      PORT: '0',
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      EMAIL_QUEUE: queue,
      EMAIL_RETRY_DELAY_MS: '200',
    }),
    logger,
  );
  publisher = createBroker({ url: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672', name: 'email-test', logger });
});

afterAll(async () => {
  await worker?.close();
  await publisher?.channel.deleteQueue(queue);
  await publisher?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('email worker', () => {
  it('sends a queued email over SMTP', async () => {
    await publisher.publishJson(
      '',
      queue,
      { to: 'reader@example.test', subject: 'Привет', text: 'Hello from KeyLab' },
      { messageId: 'e-1' },
    );
    await waitFor(() => inbox.some((mail) => mail.to.includes('reader@example.test')));
    const mail = inbox.find((m) => m.to.includes('reader@example.test'))!;
    expect(mail.raw).toMatch(/From: KeyLab <no-reply@keylab\.local>/);
    expect(mail.raw).toMatch(/Hello from KeyLab/);
  });

  it('drops a malformed message and goes on with the next one', async () => {
    await publisher.publishJson('', queue, { to: 42 });
    await publisher.publishJson('', queue, { to: 'next@example.test', subject: 's', text: 't' });
    await waitFor(() => inbox.some((mail) => mail.to.includes('next@example.test')));
    expect(inbox.filter((mail) => mail.to.includes('next@example.test'))).toHaveLength(1);
  });

  it('retries when SMTP refuses, and delivers once it accepts', async () => {
    failNext = 2;
    await publisher.publishJson('', queue, { to: 'retry@example.test', subject: 's', text: 't' });
    await waitFor(() => inbox.some((mail) => mail.to.includes('retry@example.test')));
    expect(failNext).toBe(0);
    expect(inbox.filter((mail) => mail.to.includes('retry@example.test'))).toHaveLength(1);
  });

  it('answers readiness for RabbitMQ and SMTP', async () => {
    const response = await fetch(`${worker.url}/ready`);
    expect(response.status).toBe(200);
    expect(Object.keys(((await response.json()) as { checks: object }).checks).sort()).toEqual(['rabbitmq', 'smtp']);
  });
});
