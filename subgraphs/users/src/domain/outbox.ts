import {
  EMAIL,
  USER_REGISTERED_ROUTING_KEY,
  type Broker,
  type EmailRequestV1,
  type EmailTemplate,
  type UserRegisteredV1,
} from '@keylab/messaging';
import type { Logger } from '@keylab/logger';
import type { UsersDb } from '../db/client';
import type { Prisma } from '../db/generated/client';

type Tx = Prisma.TransactionClient;

async function enqueue(tx: Tx, exchange: string, routingKey: string, payload: { id: string }): Promise<void> {
  await tx.outboxMessage.create({
    data: { id: payload.id, exchange, routingKey, payload: payload as unknown as Prisma.InputJsonValue },
  });
}

/** Queues an email in the caller's transaction: it is sent only if the change commits, and never lost. */
export function enqueueEmail(
  tx: Tx,
  exchange: string,
  email: { template: EmailTemplate; locale: 'en' | 'ru'; to: string; params?: Record<string, string> },
): Promise<void> {
  const payload: EmailRequestV1 = { version: 1, id: crypto.randomUUID(), ...email, params: email.params ?? {} };
  return enqueue(tx, exchange, EMAIL.routingKey, payload);
}

/** Queues a domain event of the users service (no email, no secret: other services need only the id). */
export function enqueueUserRegistered(
  tx: Tx,
  exchange: string,
  user: { id: string; nickname: string; createdAt: Date },
  visitorId: string | null,
): Promise<void> {
  const payload: UserRegisteredV1 = {
    version: 1,
    id: crypto.randomUUID(),
    userId: user.id,
    nickname: user.nickname,
    createdAt: user.createdAt.toISOString(),
    visitorId,
  };
  return enqueue(tx, exchange, USER_REGISTERED_ROUTING_KEY, payload);
}

interface ClaimedMessage {
  id: string;
  exchange: string;
  routing_key: string;
  payload: Record<string, unknown>;
  attempts: number;
}

const BATCH = 50;
/** A claimed message that is neither published nor released in this time is claimed again. */
const LEASE_SECONDS = 30;
const PUBLISH_TIMEOUT_MS = 5_000;

export interface OutboxRelay {
  /** Publishes what is due now (also called after each commit that queued something). */
  wake(): void;
  /** Publishes everything due, once; resolves with how many were published. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Publishes outbox rows to RabbitMQ with publisher confirms, marks them published only after the
 * broker's ack, and backs off while the broker is away. Several relays may run: rows are claimed with
 * FOR UPDATE SKIP LOCKED under a lease. Delivery is at least once; consumers dedupe by message id.
 * A relay publishes only to the exchanges it was given, the ones its service declares.
 */
export function startOutboxRelay(
  db: UsersDb,
  broker: Broker,
  logger: Logger,
  exchanges: string[],
  intervalMs = 1_000,
): OutboxRelay {
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  async function claim(): Promise<ClaimedMessage[]> {
    return db.$queryRaw<ClaimedMessage[]>`
      UPDATE outbox SET available_at = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox
                     WHERE published_at IS NULL AND available_at <= now() AND exchange = ANY(${exchanges})
                     ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING id, exchange, routing_key, payload, attempts`;
  }

  async function publishOne(message: ClaimedMessage): Promise<boolean> {
    try {
      await broker.publishJson(message.exchange, message.routing_key, message.payload, {
        messageId: message.id,
        timeoutMs: PUBLISH_TIMEOUT_MS,
      });
      // Once the broker has it, the outbox keeps no code or other parameter of the message.
      const redacted = 'params' in message.payload ? { ...message.payload, params: {} } : message.payload;
      await db.outboxMessage.update({
        where: { id: message.id },
        data: { publishedAt: new Date(), lastError: null, payload: redacted as Prisma.InputJsonValue },
      });
      return true;
    } catch (error) {
      const backoffSeconds = Math.min(2 ** message.attempts, 300);
      await db.outboxMessage
        .update({
          where: { id: message.id },
          data: { lastError: (error as Error).message.slice(0, 500), availableAt: new Date(Date.now() + backoffSeconds * 1000) },
        })
        .catch(() => undefined);
      logger.warn(
        { messageId: message.id, attempts: message.attempts, err: (error as Error).message },
        'outbox publish failed; will retry',
      );
      return false;
    }
  }

  async function drainOnce(): Promise<number> {
    let published = 0;
    for (;;) {
      const batch = await claim();
      if (batch.length === 0) return published;
      const results = await Promise.all(batch.map(publishOne));
      published += results.filter(Boolean).length;
      if (results.some((ok) => !ok)) return published;
    }
  }

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drainOnce()
      .catch((error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'outbox relay could not read the outbox');
        return 0;
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          void drain();
        }
      });
    return running;
  }

  const timer = setInterval(() => void drain(), intervalMs);
  timer.unref();
  return {
    wake: () => void drain(),
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
