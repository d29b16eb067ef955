import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import type { Logger } from '@keylab/logger';
import { brokerUrls } from './broker-urls';

/** RabbitMQ's replicated queue type: a queue's messages survive the loss of a minority of the cluster's nodes. */
export const QUORUM_QUEUE = { 'x-queue-type': 'quorum' } as const;

/** A durable queue of ours: its arguments (TTL, dead-lettering) and the bindings that feed it. */
export interface DurableQueue {
  name: string;
  arguments?: Record<string, unknown>;
  bindings?: readonly { exchange: string; routingKey: string }[];
}

/** Declares the queue as a quorum queue and binds it; every process that declares it must agree on the type. */
export async function assertQuorumQueue(channel: ConfirmChannel, queue: DurableQueue): Promise<void> {
  await channel.assertQueue(queue.name, { durable: true, arguments: { ...queue.arguments, ...QUORUM_QUEUE } });
  for (const { exchange, routingKey } of queue.bindings ?? []) await channel.bindQueue(queue.name, exchange, routingKey);
}

const isInequivalentType = (error: unknown) => error instanceof Error && /inequivalent arg 'x-queue-type'/.test(error.message);
const isNotFound = (error: unknown) => error instanceof Error && /\b404\b|NOT_FOUND/.test(error.message);

/** A channel whose failure (the broker closes it on a refused declaration) rejects the call, not the process. */
async function openChannel(connection: ChannelModel): Promise<ConfirmChannel> {
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  return channel;
}

/** Runs `use` on a fresh channel and closes it, whatever the broker did to it. */
async function onChannel<T>(connection: ChannelModel, use: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const channel = await openChannel(connection);
  try {
    return await use(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** 'classic' when a queue of the name exists with another type than quorum, 'absent' or 'quorum' otherwise. */
async function typeOf(connection: ChannelModel, queue: DurableQueue): Promise<'absent' | 'quorum' | 'classic'> {
  try {
    await onChannel(connection, (channel) => channel.checkQueue(queue.name));
  } catch (error) {
    if (isNotFound(error)) return 'absent';
    throw error;
  }
  try {
    await onChannel(connection, (channel) =>
      channel.assertQueue(queue.name, { durable: true, arguments: { ...queue.arguments, ...QUORUM_QUEUE } }),
    );
    return 'quorum';
  } catch (error) {
    if (isInequivalentType(error)) return 'classic';
    throw error;
  }
}

/** Headers the broker sets on delivery; a moved message starts afresh in its new queue. */
const BROKER_HEADERS = ['x-delivery-count'];
const MOVE_BATCH = 500;

/**
 * Moves every message from one queue to another, a batch at a time: each published with its properties, the batch
 * confirmed by the broker (a quorum queue confirms once written on a majority), then acknowledged where it was.
 */
async function moveMessages(channel: ConfirmChannel, from: string, to: string): Promise<number> {
  let moved = 0;
  for (;;) {
    let last: GetMessage | false = false;
    for (let taken = 0; taken < MOVE_BATCH; taken += 1) {
      const message = await channel.get(from);
      if (!message) break;
      const headers = { ...message.properties.headers };
      for (const name of BROKER_HEADERS) delete headers[name];
      channel.sendToQueue(to, message.content, { ...message.properties, headers } as Options.Publish);
      last = message;
      moved += 1;
    }
    if (!last) return moved;
    await channel.waitForConfirms();
    channel.ack(last, true);
  }
}

/** The first node of a cluster that answers. */
async function connectToAny(urls: string[]): Promise<ChannelModel> {
  let failure: unknown;
  for (const url of urls) {
    try {
      return await connect(url);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/**
 * One process at a time upgrades a queue: the lock is an exclusive queue, which only one connection can hold and
 * which goes with the connection if the process dies. Waits for another process's upgrade to end.
 */
async function withUpgradeLock<T>(connection: ChannelModel, name: string, run: () => Promise<T>): Promise<T> {
  const lock = `${name}.upgrade-lock`;
  for (const started = Date.now(); ;) {
    try {
      await onChannel(connection, (channel) => channel.assertQueue(lock, { exclusive: true, durable: false }));
      break;
    } catch (error) {
      if (!/RESOURCE_LOCKED|\b405\b/.test(String(error)) || Date.now() - started > 120_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await run();
  } finally {
    await onChannel(connection, (channel) => channel.deleteQueue(lock)).catch(() => undefined);
  }
}

/**
 * An installation from before quorum queues has classic queues of the same names, and RabbitMQ refuses to declare
 * a queue again with another type. Each such queue is moved, one process at a time: a holding quorum queue with the
 * same bindings takes the classic queue's messages and whatever is published meanwhile; the classic queue is
 * deleted and declared again as a quorum queue with its bindings; the holding queue is unbound and its messages
 * go to the new queue. Every message is published and confirmed before it is acknowledged where it was. Run it
 * before a process's own broker setup, in every process that declares these queues. Stop the consumers of the older
 * version first: deleting a queue drops what its consumers had not acknowledged yet.
 */
export async function upgradeToQuorumQueues(url: string, queues: readonly DurableQueue[], logger: Logger): Promise<void> {
  const connection = await connectToAny(brokerUrls(url));
  connection.on('error', () => undefined);
  try {
    for (const queue of queues) {
      if ((await typeOf(connection, queue)) !== 'classic') continue;
      await withUpgradeLock(connection, queue.name, async () => {
        if ((await typeOf(connection, queue)) !== 'classic') return;
        const holding: DurableQueue = { name: `${queue.name}.upgrading`, bindings: queue.bindings };
        const moved = await onChannel(connection, async (channel) => {
          await assertQuorumQueue(channel, holding);
          const count = await moveMessages(channel, queue.name, holding.name);
          await channel.deleteQueue(queue.name);
          return count;
        });
        await onChannel(connection, async (channel) => {
          await assertQuorumQueue(channel, queue);
          for (const { exchange, routingKey } of holding.bindings ?? [])
            await channel.unbindQueue(holding.name, exchange, routingKey);
          await moveMessages(channel, holding.name, queue.name);
          await channel.deleteQueue(holding.name);
        });
        logger.info({ queue: queue.name, messages: moved }, 'classic queue replaced by a quorum queue');
      });
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
