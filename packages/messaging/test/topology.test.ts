import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import {
  EMAIL,
  assertEmailTopology,
  assertEmailWorkerTopology,
  createBroker,
  emailTopology,
  type Broker,
  type GetMessage,
} from '@keylab/messaging';
import { waitFor } from '@keylab/testing';

const logger = createLogger('topology-test', 'silent');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('email topology names', () => {
  it('defaults to exchange email, queue email.send, tiers of 10 s, 1 min and 10 min, and email.send.dead', () => {
    expect(EMAIL).toEqual({
      exchange: 'email',
      queue: 'email.send',
      routingKey: 'send',
      retryTiers: [
        { queue: 'email.send.retry.10s', ttlMs: 10_000 },
        { queue: 'email.send.retry.1m', ttlMs: 60_000 },
        { queue: 'email.send.retry.10m', ttlMs: 600_000 },
      ],
      deadQueue: 'email.send.dead',
    });
  });

  it('derives tier and dead queue names from the queue, each tier named by its delay', () => {
    const topology = emailTopology({ exchange: 'x', queue: 'q' }, [150, 2_000, 3_600_000]);
    expect(topology.retryTiers.map((tier) => tier.queue)).toEqual(['q.retry.150ms', 'q.retry.2s', 'q.retry.1h']);
    expect(topology.deadQueue).toBe('q.dead');
  });
});

describe('email topology on RabbitMQ', () => {
  const name = `test.topology.${crypto.randomUUID()}`;
  const topology = emailTopology({ exchange: name, queue: `${name}.send` }, [100, 200]);
  let broker: Broker;

  beforeAll(async () => {
    broker = createBroker({
      url: AMQP_URL,
      name: 'topology-test',
      logger,
      setup: async (channel) => {
        await assertEmailWorkerTopology(channel, topology);
        // What a publisher declares agrees with what the worker declared.
        await assertEmailTopology(channel, topology);
      },
    });
    await broker.channel.waitForConnect();
  });

  afterAll(async () => {
    for (const queue of [topology.queue, ...topology.retryTiers.map((tier) => tier.queue), topology.deadQueue]) {
      await broker.channel.deleteQueue(queue);
    }
    await broker.channel.deleteExchange(topology.exchange);
    await broker.close();
  });

  it('routes requests published to the exchange with key send to the work queue', async () => {
    await broker.publishJson(topology.exchange, 'send', { n: 1 }, { messageId: 'direct' });
    let got: GetMessage | false = false;
    const deadline = Date.now() + 5_000;
    while (!got && Date.now() < deadline) got = await broker.channel.get(topology.queue, { noAck: true });
    expect(got && got.properties.messageId).toBe('direct');
  });

  it('returns a message parked in a retry tier to the work queue once its TTL has passed', async () => {
    const started = Date.now();
    await broker.channel.sendToQueue(topology.retryTiers[1]!.queue, Buffer.from('{"n":2}'), {
      persistent: true,
      messageId: 'tiered',
      headers: { 'x-email-attempts': 2 },
    });
    const received: GetMessage[] = [];
    const poll = setInterval(() => {
      void broker.channel.get(topology.queue, { noAck: true }).then((message) => message && received.push(message));
    }, 20);
    try {
      await waitFor(() => received.length > 0, 5_000);
    } finally {
      clearInterval(poll);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(received[0]!.properties.messageId).toBe('tiered');
    expect(received[0]!.properties.headers?.['x-email-attempts']).toBe(2);
    expect(received[0]!.properties.headers?.['x-first-death-queue']).toBe(topology.retryTiers[1]!.queue);
  });
});
