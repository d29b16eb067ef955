import { createAccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { checkBroker, createBroker, type Broker } from '@keylab/messaging';
import { checkRedis, createRedis, type Redis } from '@keylab/redis';
import { loadTypeDefs, startSubgraph, type RunningServer } from '@keylab/server';
import type { StatsConfig } from './config';
import { createStatsDb, type StatsDb } from './db/client';
import { resolvers, type StatsContext } from './resolvers';

export interface StatsService extends RunningServer {
  db: StatsDb;
  redis: Redis;
  broker: Broker;
}

export async function startStatsService(config: StatsConfig, logger: Logger): Promise<StatsService> {
  const db = createStatsDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, logger);
  const broker = createBroker({ url: config.AMQP_URL, name: 'stats', logger });
  const server = await startSubgraph<StatsContext>({
    name: 'stats',
    typeDefs: loadTypeDefs(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    port: config.PORT,
    logger,
    verifyAccessToken: createAccessTokenVerifier({
      jwks: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    sandbox: config.SANDBOX,
    checks: {
      postgres: () => db.$queryRaw`SELECT 1`,
      redis: () => checkRedis(redis),
      rabbitmq: () => checkBroker(broker),
    },
    extendContext: (base) => ({ ...base, db }),
  });
  return {
    ...server,
    db,
    redis,
    broker,
    async close() {
      await server.close();
      await Promise.allSettled([db.$disconnect(), broker.close(), redis.quit()]);
    },
  };
}
