import type { ConfirmChannel } from 'amqplib';

/**
 * Exchanges and queues shared by publishers and consumers. Both sides declare them (declaring is
 * idempotent when the arguments agree), so a message published before its consumer ever started is
 * kept, not dropped.
 */
export const EMAIL = {
  exchange: 'email',
  routingKey: 'send',
  queue: 'email.send',
  /** Retry tiers: a failed message waits in the tier's queue for its TTL, then returns to `queue`. */
  retryTiers: [
    { queue: 'email.retry.10s', ttlMs: 10_000 },
    { queue: 'email.retry.1m', ttlMs: 60_000 },
    { queue: 'email.retry.10m', ttlMs: 600_000 },
  ],
  /** Parking queue for messages that failed every try or can never be sent. */
  deadQueue: 'email.dead',
} as const;

/** Domain events of the users service (topic exchange; routing keys such as user.registered). */
export const USER_EVENTS = { exchange: 'users.events' } as const;

export async function assertEmailTopology(channel: ConfirmChannel, names: { queue: string; exchange: string } = EMAIL): Promise<void> {
  await channel.assertExchange(names.exchange, 'direct', { durable: true });
  await channel.assertQueue(names.queue, { durable: true });
  await channel.bindQueue(names.queue, names.exchange, EMAIL.routingKey);
}

export async function assertUserEventsTopology(channel: ConfirmChannel): Promise<void> {
  await channel.assertExchange(USER_EVENTS.exchange, 'topic', { durable: true });
}

/** Version 1 of an email request, as the users service writes it to its outbox. */
export interface EmailRequestV1 {
  version: 1;
  /** Also the AMQP messageId: the worker sends each id at most once. */
  id: string;
  template: EmailTemplate;
  locale: 'en' | 'ru';
  to: string;
  /** Values the template shows, e.g. { code: '123456', nickname: 'ann' }. Never logged. */
  params: Record<string, string>;
}

export const EMAIL_TEMPLATES = ['sign-up-code', 'account-exists', 'password-reset-code', 'email-change-code', 'email-changed', 'password-changed'] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];
