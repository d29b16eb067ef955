// An installation from before quorum queues, upgraded in place on the real broker.
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import {
  QUORUM_QUEUE,
  createBroker,
  emailTopology,
  emailWorkerQueues,
  upgradeToQuorumQueues,
  assertEmailWorkerTopology,
  type DurableQueue,
} from '@keylab/messaging';
import { waitFor } from '@keylab/testing';

const logger = createLogger('quorum-test', 'silent');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
let connection: ChannelModel;
const made: { queues: string[]; exchanges: string[] } = { queues: [], exchanges: [] };

beforeAll(async () => {
  connection = await connect(AMQP_URL);
});

afterAll(async () => {
  const channel = await connection.createChannel();
  for (const queue of made.queues) await channel.deleteQueue(queue).catch(() => undefined);
  for (const exchange of made.exchanges) await channel.deleteExchange(exchange).catch(() => undefined);
  await connection.close();
});

/** A fresh channel per step: the broker closes a channel on a refused declaration. */
async function withChannel<T>(use: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  try {
    return await use(channel);
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** The queues of an email topology as an older KeyLab declared them: classic, with the same arguments and binding. */
async function classicInstallation(topology: ReturnType<typeof emailTopology>, messages: number) {
  made.exchanges.push(topology.exchange);
  made.queues.push(...emailWorkerQueues(topology).flatMap((queue) => [queue.name, `${queue.name}.upgrading`]));
  await withChannel(async (channel) => {
    await channel.assertExchange(topology.exchange, 'direct', { durable: true });
    for (const queue of emailWorkerQueues(topology)) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
      for (const binding of queue.bindings ?? []) await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
    }
    for (let i = 0; i < messages; i += 1) {
      channel.publish(topology.exchange, topology.routingKey, Buffer.from(`email ${i}`), {
        persistent: true,
        messageId: `m${i}`,
      });
    }
    channel.sendToQueue(topology.deadQueue, Buffer.from('parked'), {
      persistent: true,
      messageId: 'dead-1',
      headers: { 'x-reason': 'x' },
    });
    await channel.waitForConfirms();
  });
}

const isQuorum = (queue: DurableQueue) =>
  withChannel((channel) =>
    channel.assertQueue(queue.name, { durable: true, arguments: { ...queue.arguments, ...QUORUM_QUEUE } }),
  ).then(
    () => true,
    () => false,
  );

async function drain(queue: string): Promise<{ body: string; messageId: string; headers: unknown }[]> {
  return withChannel(async (channel) => {
    const got = [];
    for (let message = await channel.get(queue); message; message = await channel.get(queue)) {
      got.push({
        body: message.content.toString(),
        messageId: message.properties.messageId,
        headers: message.properties.headers,
      });
      channel.ack(message);
    }
    return got;
  });
}

describe('quorum queues', () => {
  it('are what the topology declares on a new installation', async () => {
    const topology = emailTopology(
      { exchange: `test.quorum.${crypto.randomUUID()}`, queue: `test.quorum.${crypto.randomUUID()}` },
      [200],
    );
    made.exchanges.push(topology.exchange);
    made.queues.push(...emailWorkerQueues(topology).map((queue) => queue.name));
    await withChannel((channel) => assertEmailWorkerTopology(channel, topology));
    for (const queue of emailWorkerQueues(topology)) expect(await isQuorum(queue), queue.name).toBe(true);
  });

  it('replace the classic queues of an older installation, keeping every message, its properties and the bindings', async () => {
    const topology = emailTopology(
      { exchange: `test.quorum.${crypto.randomUUID()}`, queue: `test.quorum.${crypto.randomUUID()}` },
      [60_000],
    );
    await classicInstallation(topology, 25);
    for (const queue of emailWorkerQueues(topology)) expect(await isQuorum(queue)).toBe(false);

    await upgradeToQuorumQueues(AMQP_URL, emailWorkerQueues(topology), logger);

    for (const queue of emailWorkerQueues(topology)) expect(await isQuorum(queue), queue.name).toBe(true);
    const work = await drain(topology.queue);
    expect(work.map((message) => message.messageId).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
    expect(work.find((message) => message.messageId === 'm3')?.body).toBe('email 3');
    expect(await drain(topology.deadQueue)).toMatchObject([
      { body: 'parked', messageId: 'dead-1', headers: { 'x-reason': 'x' } },
    ]);
    // No holding queue left behind, and the exchange still routes to the work queue.
    for (const queue of emailWorkerQueues(topology)) {
      await expect(withChannel((channel) => channel.checkQueue(`${queue.name}.upgrading`))).rejects.toThrow(/404/);
    }
    await withChannel(async (channel) => {
      channel.publish(topology.exchange, topology.routingKey, Buffer.from('after'), { persistent: true, messageId: 'after' });
      await channel.waitForConfirms();
    });
    expect((await drain(topology.queue)).map((message) => message.messageId)).toEqual(['after']);
  });

  it('are upgraded once when several processes start at the same time, with no message lost or doubled', async () => {
    const topology = emailTopology(
      { exchange: `test.quorum.${crypto.randomUUID()}`, queue: `test.quorum.${crypto.randomUUID()}` },
      [60_000],
    );
    await classicInstallation(topology, 200);
    await Promise.all([1, 2, 3].map(() => upgradeToQuorumQueues(AMQP_URL, emailWorkerQueues(topology), logger)));
    expect(await isQuorum(emailWorkerQueues(topology)[0]!)).toBe(true);
    const ids = (await drain(topology.queue)).map((message) => message.messageId);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  it('are upgraded by a process starting on an older installation, which then consumes from them', async () => {
    const topology = emailTopology(
      { exchange: `test.quorum.${crypto.randomUUID()}`, queue: `test.quorum.${crypto.randomUUID()}` },
      [60_000],
    );
    await classicInstallation(topology, 3);
    const received: string[] = [];
    // The first node of the cluster's list is down (nothing listens on port 1): both the upgrade and the client go on to the next.
    const broker = createBroker({
      url: `amqp://guest:guest@127.0.0.1:1,${AMQP_URL}`,
      name: 'quorum-test',
      logger,
      queues: emailWorkerQueues(topology),
      setup: async (channel) => {
        await assertEmailWorkerTopology(channel, topology);
        await channel.consume(topology.queue, (message) => {
          if (!message) return;
          received.push(message.properties.messageId as string);
          channel.ack(message);
        });
      },
    });
    try {
      await waitFor(() => received.length === 3, 10_000);
      expect(received.sort()).toEqual(['m0', 'm1', 'm2']);
    } finally {
      await broker.close();
    }
  });
});
