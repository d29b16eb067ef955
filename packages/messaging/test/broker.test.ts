import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import { checkBroker, createBroker, parseJson, type Broker, type ConsumeMessage } from '@keylab/messaging';
import { waitFor } from '@keylab/testing';

const logger = createLogger('broker-test', 'silent');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const opened: Broker[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((broker) => broker.close()));
});

function consumerOf(queue: string) {
  const received: unknown[] = [];
  const broker = createBroker({
    url: AMQP_URL,
    name: 'test-consumer',
    logger,
    setup: async (channel) => {
      await channel.assertQueue(queue, { durable: false, autoDelete: true });
      await channel.consume(queue, (message: ConsumeMessage | null) => {
        if (!message) return;
        received.push(parseJson(message));
        channel.ack(message);
      });
    },
  });
  opened.push(broker);
  return { broker, received };
}

/** A loopback address where nothing listens: a cluster node that is down. */
async function downNode(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `amqp://guest:guest@127.0.0.1:${port}`;
}

describe('broker', () => {
  it('connects to the next node of its URLs when the first does not answer', async () => {
    const queue = `test.broker.${crypto.randomUUID()}`;
    const consumer = consumerOf(queue);
    await consumer.broker.channel.waitForConnect();
    const { received } = consumer;
    const broker = createBroker({ url: `${await downNode()},${AMQP_URL}`, name: 'test-cluster-client', logger });
    opened.push(broker);
    await broker.publishJson('', queue, { via: 'second node' }, { messageId: 'm-2', timeoutMs: 20_000 });
    await waitFor(() => received.length === 1, 20_000);
    expect(received).toEqual([{ via: 'second node' }]);
  });

  it('publishes confirmed JSON that a consumer receives', async () => {
    const queue = `test.broker.${crypto.randomUUID()}`;
    const { broker, received } = consumerOf(queue);
    await broker.channel.waitForConnect();
    await broker.publishJson('', queue, { hello: 'мир', n: 1 }, { messageId: 'm-1' });
    await waitFor(() => received.length === 1);
    expect(received).toEqual([{ hello: 'мир', n: 1 }]);
    await expect(checkBroker(broker)).resolves.toBeUndefined();
  });

  it('reconnects after the connection drops, re-declares its queue and keeps consuming', async () => {
    const queue = `test.broker.${crypto.randomUUID()}`;
    const { broker, received } = consumerOf(queue);
    await broker.channel.waitForConnect();
    await broker.publishJson('', queue, { n: 1 });
    await waitFor(() => received.length === 1);

    // Cut the TCP connection under the client, as a broker restart or network failure would.
    const reconnected = new Promise((resolve) => broker.connection.once('connect', resolve));
    const socket = (broker.connection as unknown as { connection: { connection: { stream: { destroy(error: Error): void } } } })
      .connection.connection.stream;
    socket.destroy(new Error('simulated network failure'));
    await reconnected;

    await broker.publishJson('', queue, { n: 2 });
    await waitFor(() => received.length === 2);
    expect(received).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('reports not ready while the broker cannot be reached', async () => {
    const broker = createBroker({ url: 'amqp://guest:guest@127.0.0.1:1', name: 'test-unreachable', logger });
    opened.push(broker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(checkBroker(broker)).rejects.toThrow('rabbitmq is not connected');
  });
});
