import type { ConfirmChannel } from 'amqplib';
import { assertQuorumQueue, type DurableQueue } from './queues';

/**
 * Exchanges and queues shared by publishers and consumers. Both sides declare them (declaring is
 * idempotent when the arguments agree), so a message published before its consumer ever started is
 * kept, not dropped.
 */

/** Names a publisher needs: it publishes to `exchange` with routing key `send`, which `queue` is bound to. */
export interface EmailTopologyNames {
  exchange: string;
  queue: string;
}

/** The email worker's whole topology: the names above plus the retry tiers and the parking queue. */
export interface EmailTopology extends EmailTopologyNames {
  routingKey: string;
  /**
   * Retry tiers, shortest first: a failed message waits in the tier's queue for its TTL, then the queue
   * dead-letters it back to `exchange` with `routingKey`, so it returns to `queue`.
   */
  retryTiers: readonly { queue: string; ttlMs: number }[];
  /** Parking queue for messages that failed every try or can never be sent. */
  deadQueue: string;
}

export const EMAIL_ROUTING_KEY = 'send';
export const EMAIL_RETRY_DELAYS_MS = [10_000, 60_000, 600_000] as const;

/** 10000 -> 10s, 60000 -> 1m, 200 -> 200ms: a tier's name says its delay. */
function delayName(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/**
 * The worker's topology for these names: tier queues `${queue}.retry.<delay>` and `${queue}.dead`. A
 * tier's name carries its delay, because a queue's TTL cannot change once declared: a new delay makes a
 * new queue instead of a PRECONDITION_FAILED on the old one.
 */
export function emailTopology(
  names: EmailTopologyNames = { exchange: 'email', queue: 'email.send' },
  retryDelaysMs: readonly number[] = EMAIL_RETRY_DELAYS_MS,
): EmailTopology {
  return {
    exchange: names.exchange,
    queue: names.queue,
    routingKey: EMAIL_ROUTING_KEY,
    retryTiers: retryDelaysMs.map((ttlMs) => ({ queue: `${names.queue}.retry.${delayName(ttlMs)}`, ttlMs })),
    deadQueue: `${names.queue}.dead`,
  };
}

/** The default topology: exchange `email`, queue `email.send`, tiers `email.send.retry.{10s,1m,10m}`, `email.send.dead`. */
export const EMAIL: EmailTopology = emailTopology();

/** Domain events of the users service (topic exchange; routing keys such as user.registered). */
export const USER_EVENTS = { exchange: 'users.events' } as const;

/** The publisher's queue: the work queue, bound to the exchange with routing key `send`. */
export const emailQueues = (names: EmailTopologyNames = EMAIL): DurableQueue[] => [
  { name: names.queue, bindings: [{ exchange: names.exchange, routingKey: EMAIL_ROUTING_KEY }] },
];

/** The worker's queues: the publisher's, one TTL queue per retry tier dead-lettering back to it, the dead queue. */
export const emailWorkerQueues = (topology: EmailTopology = EMAIL): DurableQueue[] => [
  ...emailQueues(topology),
  ...topology.retryTiers.map((tier) => ({
    name: tier.queue,
    arguments: {
      'x-message-ttl': tier.ttlMs,
      'x-dead-letter-exchange': topology.exchange,
      'x-dead-letter-routing-key': topology.routingKey,
    },
  })),
  { name: topology.deadQueue },
];

/**
 * The publisher's part: the exchange, the work queue and its binding. Publish EmailRequestV1 JSON to
 * `exchange` with routing key `send`, messageId = the request id, persistent. The retry and dead queues
 * are the worker's (assertEmailWorkerTopology), so publishers never disagree with it about their TTLs.
 */
export async function assertEmailTopology(channel: ConfirmChannel, names: EmailTopologyNames = EMAIL): Promise<void> {
  await channel.assertExchange(names.exchange, 'direct', { durable: true });
  for (const queue of emailQueues(names)) await assertQuorumQueue(channel, queue);
}

/** The worker's part: the publisher's topology plus one TTL queue per retry tier and the dead queue. */
export async function assertEmailWorkerTopology(channel: ConfirmChannel, topology: EmailTopology = EMAIL): Promise<void> {
  await channel.assertExchange(topology.exchange, 'direct', { durable: true });
  for (const queue of emailWorkerQueues(topology)) await assertQuorumQueue(channel, queue);
}

export async function assertUserEventsTopology(channel: ConfirmChannel, exchange: string = USER_EVENTS.exchange): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

export const USER_REGISTERED_ROUTING_KEY = 'user.registered';

/** Version 1 of user.registered: no email, no secret, as other services need only the id. */
export interface UserRegisteredV1 {
  version: 1;
  /** Also the AMQP messageId. */
  id: string;
  userId: string;
  nickname: string;
  createdAt: string;
  /** The visitor (gateway cookie or X-Visitor-Id) who signed up; null when the request had none. */
  visitorId: string | null;
}

/** The stats service's own durable queue of sign-ups, bound to the users' events, and its dead-letter queue. */
export interface SignUpsTopology {
  exchange: string;
  queue: string;
  deadQueue: string;
}

export const signUpsTopology = (exchange: string = USER_EVENTS.exchange, queue = 'stats.sign-ups'): SignUpsTopology => ({
  exchange,
  queue,
  deadQueue: `${queue}.dead`,
});

/** The stats service's sign-up queue, bound to user.registered, and its dead-letter queue. */
export const signUpsQueues = (topology: SignUpsTopology = signUpsTopology()): DurableQueue[] => [
  { name: topology.queue, bindings: [{ exchange: topology.exchange, routingKey: USER_REGISTERED_ROUTING_KEY }] },
  { name: topology.deadQueue },
];

export async function assertSignUpsTopology(
  channel: ConfirmChannel,
  topology: SignUpsTopology = signUpsTopology(),
): Promise<void> {
  await assertUserEventsTopology(channel, topology.exchange);
  for (const queue of signUpsQueues(topology)) await assertQuorumQueue(channel, queue);
}

/** Version 1 of an email request, as the users service writes it to its outbox. */
export interface EmailRequestV1 {
  version: 1;
  /** Also the AMQP messageId: the worker sends each id at most once. Letters, digits, `.`, `_`, `-` (a UUID). */
  id: string;
  template: EmailTemplate;
  locale: 'en' | 'ru';
  to: string;
  /**
   * Values the template shows; never logged. `code` for the *-code templates, `newEmail` for
   * email-changed; an optional `nickname` adds a greeting.
   */
  params: Record<string, string>;
}

export const EMAIL_TEMPLATES = [
  'sign-up-code',
  'account-exists',
  'password-reset-code',
  'email-change-code',
  'email-changed',
  'password-changed',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];
export const EMAIL_LOCALES = ['en', 'ru'] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];
