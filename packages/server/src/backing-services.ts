import type { Logger } from '@keylab/logger';
import { checkBroker, createBroker, type Broker, type BrokerOptions } from '@keylab/messaging';
import { checkRedis, createRedis, type Redis } from '@keylab/redis';
import type { ReadinessChecks } from './http';

export interface BackingServices {
  redis: Redis;
  broker: Broker;
  /** Readiness of the database, Redis and RabbitMQ. */
  checks: ReadinessChecks;
  close(): Promise<void>;
}

export interface Database {
  $queryRaw(query: TemplateStringsArray): Promise<unknown>;
  $disconnect(): Promise<void>;
}

/** Connects a subgraph's Redis and RabbitMQ beside its database, with one readiness check for each. */
export function connectBackingServices(
  name: string,
  settings: { REDIS_URL: string; AMQP_URL: string },
  db: Database,
  logger: Logger,
  /** Declares the exchanges and queues this service publishes to or consumes from. */
  brokerSetup?: BrokerOptions['setup'],
  /** The durable queues brokerSetup declares (see BrokerOptions.queues). */
  queues?: BrokerOptions['queues'],
): BackingServices {
  const redis = createRedis(settings.REDIS_URL, logger);
  const broker = createBroker({ url: settings.AMQP_URL, name, logger, setup: brokerSetup, queues });
  return {
    redis,
    broker,
    checks: {
      postgres: () => db.$queryRaw`SELECT 1`,
      redis: () => checkRedis(redis),
      rabbitmq: () => checkBroker(broker),
    },
    async close() {
      await Promise.allSettled([db.$disconnect(), broker.close(), redis.quit()]);
    },
  };
}
