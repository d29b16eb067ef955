import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage, GetMessage } from 'amqplib';
import type { Logger } from '@keylab/logger';
import { brokerUrls } from './broker-urls';
import { upgradeToQuorumQueues, type DurableQueue } from './queues';

export type { ConfirmChannel, ConsumeMessage, GetMessage, ChannelWrapper };

export interface Broker {
  connection: AmqpConnectionManager;
  /** A confirm channel that re-declares its topology after every reconnect. */
  channel: ChannelWrapper;
  isConnected(): boolean;
  /** Publishes persistent JSON and resolves when the broker has confirmed it. */
  publishJson(
    exchange: string,
    routingKey: string,
    payload: unknown,
    options?: { messageId?: string; headers?: Record<string, unknown>; timeoutMs?: number },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** A RabbitMQ URL, or one per node of a cluster separated by commas. */
  url: string;
  /** Names the connection in the RabbitMQ management UI and in logs. */
  name: string;
  logger: Logger;
  /** Declares exchanges, queues and consumers; runs again after each reconnect. */
  setup?: (channel: ConfirmChannel) => Promise<unknown>;
  /** The quorum queues `setup` declares: classic queues of these names (an older installation's) are upgraded first. */
  queues?: readonly DurableQueue[];
}

/**
 * A RabbitMQ connection that reconnects by itself (amqp-connection-manager over amqplib). Publishes made
 * while the broker is away wait in memory until it returns; messages that must survive a crash go through
 * a transactional outbox instead.
 */
export function createBroker(options: BrokerOptions): Broker {
  const { logger } = options;
  const connection = amqp.connect(brokerUrls(options.url), {
    heartbeatIntervalInSeconds: 15,
    reconnectTimeInSeconds: 2,
    connectionOptions: { clientProperties: { connection_name: options.name } },
  });
  let warned = false;
  connection.on('connect', () => {
    logger.info(warned ? 'rabbitmq connection restored' : 'rabbitmq connected');
    warned = false;
  });
  connection.on('disconnect', ({ err }) => {
    if (!warned) logger.warn({ err: err?.message }, 'rabbitmq unavailable; reconnecting');
    warned = true;
  });
  connection.on('connectFailed', ({ err }) => {
    if (!warned) logger.warn({ err: err?.message }, 'rabbitmq unavailable; reconnecting');
    warned = true;
  });
  const channel = connection.createChannel({
    json: false,
    confirm: true,
    setup: async (setupChannel: ConfirmChannel) => {
      try {
        // Once per process: after an upgrade no classic queue of these names comes back.
        if (options.queues?.length && !upgraded) {
          await upgradeToQuorumQueues(options.url, options.queues, logger);
          upgraded = true;
        }
        await options.setup?.(setupChannel);
      } catch (error) {
        // A close during setup ends its pending declarations; that is no failure to report.
        if (!closing) throw error;
      }
    },
  });
  let closing = false;
  let upgraded = false;
  return {
    connection,
    channel,
    isConnected: () => connection.isConnected(),
    async publishJson(exchange, routingKey, payload, publishOptions = {}) {
      await channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(payload)), {
        persistent: true,
        contentType: 'application/json',
        messageId: publishOptions.messageId,
        headers: publishOptions.headers,
        timeout: publishOptions.timeoutMs,
        timestamp: Math.floor(Date.now() / 1000),
      });
    },
    async close() {
      closing = true;
      // Closing while the channel is still opening leaves amqplib with an RPC that rejects unheard.
      if (connection.isConnected()) {
        await Promise.race([channel.waitForConnect(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]).catch(
          () => undefined,
        );
      }
      await channel.close().catch(() => undefined);
      await connection.close();
    },
  };
}

export async function checkBroker(broker: Broker): Promise<void> {
  if (!broker.isConnected()) throw new Error('rabbitmq is not connected');
}

/** Parses a message body as JSON; undefined when it is not JSON. */
export function parseJson(message: ConsumeMessage): unknown {
  try {
    return JSON.parse(message.content.toString('utf8'));
  } catch {
    return undefined;
  }
}
