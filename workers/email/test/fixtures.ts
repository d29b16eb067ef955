import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseConfig } from '@keylab/config';
import { emailSettings, sentKey, startEmailWorker } from '@keylab/email-worker';
import type { Logger } from '@keylab/logger';
import {
  assertEmailTopology,
  createBroker,
  emailTopology,
  type Broker,
  type EmailRequestV1,
  type EmailTopology,
  type GetMessage,
} from '@keylab/messaging';
import { createRedis, type Redis } from '@keylab/redis';
import type { RunningServer } from '@keylab/server';
import { parseMail, type ParsedMail } from './mime';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** How the fake server treats one recipient: refuse DATA with 451 this many times (or always), or 550 at RCPT. */
export interface Behaviour {
  fail451?: number | 'always';
  reject550?: boolean;
  /** Holds the DATA reply this long, to catch a send in flight. */
  delayMs?: number;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** An in-process SMTP server that keeps what it accepts and fails on demand, per recipient. */
export async function startSmtp() {
  const inbox: { to: string[]; raw: string; mail: ParsedMail }[] = [];
  const behaviours = new Map<string, Behaviour>();
  /** DATA attempts per recipient, accepted or not. */
  const attempts = new Map<string, number>();
  /** DATA transfers that have started and not yet been answered. */
  let receiving = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (behaviours.get(address.address)?.reject550) return callback(smtpError(550, 'No such user here'));
      callback();
    },
    onData(stream, session, callback) {
      receiving += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const behaviour = behaviours.get(to[0]!) ?? {};
        for (const address of to) attempts.set(address, (attempts.get(address) ?? 0) + 1);
        const answer = () => {
          receiving -= 1;
          if (behaviour.fail451 === 'always' || (behaviour.fail451 ?? 0) > 0) {
            if (typeof behaviour.fail451 === 'number') behaviour.fail451 -= 1;
            return callback(smtpError(451, 'Try again later'));
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          inbox.push({ to, raw, mail: parseMail(raw) });
          callback();
        };
        if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
        else answer();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    url,
    inbox,
    behaviours,
    attempts,
    receiving: () => receiving,
    received: (address: string) => inbox.filter((mail) => mail.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/**
 * An email worker on its own exchange and queues (unique names), a publisher on them, and a reader of
 * the dead queue; close() deletes every queue and exchange it declared and the Redis keys of the ids used.
 */
export async function startWorkerFixture(options: { smtp: Smtp; logger: Logger; env?: Record<string, string> }) {
  const name = `test.email.${crypto.randomUUID()}`;
  const env = {
    PORT: '0',
    LOG_LEVEL: 'debug',
    AMQP_URL,
    REDIS_URL,
    SMTP_URL: options.smtp.url,
    EMAIL_EXCHANGE: name,
    EMAIL_QUEUE: `${name}.send`,
    EMAIL_RETRY_DELAYS_MS: '100,200,300',
    ...options.env,
  };
  const config = parseConfig(emailSettings, env);
  const topology: EmailTopology = emailTopology(
    { exchange: config.EMAIL_EXCHANGE, queue: config.EMAIL_QUEUE },
    config.EMAIL_RETRY_DELAYS_MS,
  );
  const worker: RunningServer = await startEmailWorker(config, options.logger);
  const publisher: Broker = createBroker({
    url: AMQP_URL,
    name: 'email-test-publisher',
    logger: options.logger,
    setup: (channel) => assertEmailTopology(channel, topology),
  });
  await publisher.channel.waitForConnect();
  const redis: Redis = createRedis(REDIS_URL, options.logger);
  const ids = new Set<string>();
  const dead: GetMessage[] = [];

  return {
    config,
    topology,
    worker,
    publisher,
    redis,
    dead,
    /** A fresh request id, whose Redis key close() removes. */
    newId() {
      const id = crypto.randomUUID();
      ids.add(id);
      return id;
    },
    request(overrides: Partial<EmailRequestV1> = {}): EmailRequestV1 {
      return {
        version: 1,
        id: this.newId(),
        template: 'sign-up-code',
        locale: 'en',
        to: `reader-${crypto.randomUUID()}@example.test`,
        params: { code: String(Math.floor(100_000 + Math.random() * 900_000)) },
        ...overrides,
      };
    },
    /** As the users service publishes: to the exchange, routing key `send`, messageId = request id. */
    publish(request: unknown, messageId?: string) {
      const id = messageId ?? (request as { id?: string }).id;
      return publisher.publishJson(topology.exchange, topology.routingKey, request, { messageId: id });
    },
    publishRaw(content: Buffer) {
      return publisher.channel.publish(topology.exchange, topology.routingKey, content, { persistent: true });
    },
    /** Moves whatever is in the dead queue into `dead` (channel.get), for assertions with waitFor. */
    async drainDead() {
      for (;;) {
        const message = await publisher.channel.get(topology.deadQueue, { noAck: true });
        if (!message) return;
        dead.push(message);
      }
    },
    async close() {
      await worker.close();
      const channel = publisher.channel;
      for (const queue of [topology.queue, ...topology.retryTiers.map((tier) => tier.queue), topology.deadQueue]) {
        await channel.deleteQueue(queue);
      }
      await channel.deleteExchange(topology.exchange);
      await publisher.close();
      if (ids.size) await redis.del(...[...ids].map(sentKey));
      await redis.quit();
    },
  };
}

export type WorkerFixture = Awaited<ReturnType<typeof startWorkerFixture>>;
