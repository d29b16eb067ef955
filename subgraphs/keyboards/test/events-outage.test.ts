import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import { createBroker, type Broker, type StatsEventBatchV1 } from '@keylab/messaging';
import { startTcpProxy, waitFor, type TcpProxy } from '@keylab/testing';
import { startStack, type Stack } from '@keylab/test-support';

let stack: Stack;
let proxy: TcpProxy;
let observer: Broker;
const queue = `test.activity.outage.${crypto.randomUUID()}`;
const received: { kind: string; tag: string; visitorId: string | null }[] = [];

beforeAll(async () => {
  const amqp = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  proxy = await startTcpProxy(Number(amqp.port || 5672), amqp.hostname);
  const throughProxy = new URL(amqp);
  throughProxy.port = String(proxy.port);
  // Only the keyboards subgraph reaches RabbitMQ through the proxy; the observer has its own connection.
  stack = await startStack({ keyboardsEnv: { AMQP_URL: throughProxy.toString() } });
  observer = createBroker({
    url: amqp.toString(),
    name: 'test-observer',
    logger: createLogger('observer', 'silent'),
    setup: async (channel) => {
      await channel.assertExchange(stack.statsExchange, 'topic', { durable: true });
      await channel.assertQueue(queue, { durable: false, autoDelete: true });
      await channel.bindQueue(queue, stack.statsExchange, '#');
      await channel.consume(queue, (message) => {
        if (!message) return;
        received.push(
          ...(JSON.parse(message.content.toString()) as StatsEventBatchV1).events.map((e) => e as (typeof received)[number]),
        );
        channel.ack(message);
      });
    },
  });
  await observer.channel.waitForConnect();
});

afterAll(async () => {
  await observer?.close();
  await stack?.close();
  await proxy?.close();
});

/** The gateway's operation events arrive on the same exchange (it does not go through the proxy). */
const activitiesOf = (visitor: string) => received.filter((event) => event.kind === 'activity' && event.visitorId === visitor);

describe('activity events when RabbitMQ blips', () => {
  it('are neither lost nor slow down the requests while the broker is away', async () => {
    await stack.keyboards.broker.channel.waitForConnect();
    proxy.cut();
    await waitFor(() => !stack.keyboards.broker.isConnected());
    const visitor = `visitor${crypto.randomUUID().replaceAll('-', '')}`;
    for (let i = 0; i < 5; i += 1) {
      const answer = await stack.graphql<{ switches: { totalCount: number } }>('{ switches { totalCount } }', {
        headers: { 'x-visitor-id': visitor },
      });
      expect(answer.data?.switches.totalCount).toBe(4);
    }
    expect(activitiesOf(visitor)).toHaveLength(0);
    proxy.restore();
    await waitFor(() => activitiesOf(visitor).length === 5, 30_000);
    expect(activitiesOf(visitor).every((event) => event.tag === 'see_switch')).toBe(true);
  });
});
