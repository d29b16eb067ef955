import { inDevelopment } from '@keylab/config';
import { signUpsQueues, signUpsTopology, statsIngestQueues } from '@keylab/messaging';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@keylab/logger';
import {
  connectBackingServices,
  loadTypeDefs,
  startSubgraph,
  type BackingServices,
  type RunningServer,
  gatewaySecret,
  accessTokenVerifier,
} from '@keylab/server';
import type { StatsConfig } from './config';
import { createStatsDb, type StatsDb } from './db/client';
import { resultCache } from './domain/cache';
import { mountExportRoute } from './http/export-route';
import { eventConsumer } from './ingest/consumer';
import { retentionJob } from './ingest/retention';
import { signUpConsumer } from './ingest/sign-up-consumer';
import type { StatsContext } from './context';
import { resolvers } from './resolvers';

export interface StatsService extends RunningServer, Pick<BackingServices, 'redis' | 'broker'> {
  db: StatsDb;
}

export async function startStatsService(config: StatsConfig, logger: Logger): Promise<StatsService> {
  const db = createStatsDb(config.DATABASE_URL);
  // The broker runs its setup only once connected, by which time the consumer exists.
  const signUpsQueue = signUpsTopology(config.USER_EVENTS_EXCHANGE, config.SIGN_UPS_QUEUE);
  const queues = [...statsIngestQueues(config.STATS_EXCHANGE, config.STATS_QUEUE), ...signUpsQueues(signUpsQueue)];
  const backing = connectBackingServices(
    'stats',
    config,
    db,
    logger,
    async (channel) => {
      await consumer.setup(channel);
      await signUps.setup(channel);
    },
    queues,
  );
  const cache = resultCache(backing.redis, logger, config.CACHE_PREFIX);
  const consumer = eventConsumer({
    db,
    logger,
    exchange: config.STATS_EXCHANGE,
    queue: config.STATS_QUEUE,
    batchSize: config.INGEST_BATCH_SIZE,
    flushIntervalMs: config.INGEST_FLUSH_MS,
    onIngested: async ({ late }) => {
      if (late) await cache.invalidate();
    },
  });
  const signUps = signUpConsumer({
    db,
    logger,
    topology: signUpsQueue,
    onLate: () => cache.invalidate(),
  });
  const retention = config.EVENTS_RETENTION_DAYS ? retentionJob(db, config.EVENTS_RETENTION_DAYS, logger) : undefined;
  const exports = {
    publicUrl: config.EXPORTS_PUBLIC_URL.replace(/\/$/, ''),
    secret: config.EXPORT_URL_SECRET ?? randomBytes(32).toString('base64url'),
  };
  const server = await startSubgraph<StatsContext>({
    name: 'stats',
    typeDefs: loadTypeDefs(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    port: config.PORT,
    logger,
    verifyAccessToken: accessTokenVerifier(
      { jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      backing.redis,
      logger,
    ),
    host: config.HOST,
    sandbox: inDevelopment(config.SANDBOX, config.NODE_ENV),
    gatewaySecret: await gatewaySecret(config),
    // The gateway passes export downloads on, signed.
    gatewayOnly: ['/graphql', '/exports'],
    checks: backing.checks,
    extendContext: (base) => ({ ...base, db, cache, exports }),
    routes: (app) => mountExportRoute(app, db, cache, exports.secret, logger),
  });
  return {
    ...server,
    db,
    redis: backing.redis,
    broker: backing.broker,
    async close() {
      await server.close();
      retention?.close();
      await consumer.close();
      await signUps.close();
      await backing.close();
    },
  };
}
