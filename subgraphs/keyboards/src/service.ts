import { inDevelopment } from '@keylab/config';
import type { FileStorage } from '@keylab/files';
import type { Logger } from '@keylab/logger';
import { assertStatsEventsTopology, createStatsEventPublisher } from '@keylab/messaging';
import {
  connectBackingServices,
  loadTypeDefs,
  startSubgraph,
  type BackingServices,
  type RunningServer,
  gatewaySecret,
  accessTokenVerifier,
} from '@keylab/server';
import type { KeyboardsConfig } from './config';
import { createKeyboardsDb, type KeyboardsDb } from './db/client';
import { activityEmitters } from './domain/activity';
import { listCache } from './domain/cache';
import type { SweepResult } from './domain/file-sweep';
import { uploadLimits } from './domain/upload-limits';
import { startFileSweeper } from './file-sweeper';
import { fileStorage } from './file-storage';
import { fileUrls } from './http/file-urls';
import { mountFileRoutes } from './http/files-routes';
import { loaders } from './loaders';
import type { KeyboardsContext } from './context';
import { resolvers } from './resolvers';

export interface KeyboardsService extends RunningServer, Pick<BackingServices, 'redis' | 'broker'> {
  db: KeyboardsDb;
  storage: FileStorage;
  /** Runs the file sweep now (it also runs every FILE_SWEEP_INTERVAL_SECONDS). */
  sweepFiles(): Promise<SweepResult>;
}

export async function startKeyboardsService(config: KeyboardsConfig, logger: Logger): Promise<KeyboardsService> {
  const db = createKeyboardsDb(config.DATABASE_URL);
  const backing = connectBackingServices('keyboards', config, db, logger, (channel) =>
    assertStatsEventsTopology(channel, config.STATS_EXCHANGE),
  );
  const cache = listCache(backing.redis, logger, config.CACHE_PREFIX);
  const events = createStatsEventPublisher({
    broker: backing.broker,
    logger,
    exchange: config.STATS_EXCHANGE,
    routingKey: 'activity',
  });
  const emitterFor = activityEmitters(events);
  const storage = fileStorage(config);
  const urls = fileUrls({ publicUrl: config.FILES_PUBLIC_URL, cdnUrl: config.FILES_CDN_URL, secret: config.FILE_URL_SECRET });
  const verifyAccessToken = accessTokenVerifier(
    { jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    backing.redis,
    logger,
  );
  const server = await startSubgraph<KeyboardsContext>({
    name: 'keyboards',
    typeDefs: loadTypeDefs(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    port: config.PORT,
    logger,
    verifyAccessToken,
    host: config.HOST,
    sandbox: inDevelopment(config.SANDBOX, config.NODE_ENV),
    gatewaySecret: await gatewaySecret(config),
    // The gateway passes uploads and file downloads on, signed. Behind nginx (FILES_ACCEL_REDIRECT) nginx asks
    // for /files itself and cannot sign; those answers carry no bytes, and the file checks stay as they are.
    gatewayOnly: ['/graphql', '/uploads', ...(config.FILES_ACCEL_REDIRECT ? [] : ['/files'])],
    checks: backing.checks,
    extendContext: (base) => ({
      ...base,
      db,
      loaders: loaders(db),
      cache,
      emit: emitterFor({ visitorId: base.visitorId, userId: base.viewer?.userId ?? null }),
      fileUrls: urls,
    }),
    routes: (app) =>
      mountFileRoutes(app, {
        db,
        storage,
        verifyAccessToken,
        urlSecret: urls.secret,
        limits: uploadLimits(backing.redis, db, {
          prefix: config.CACHE_PREFIX,
          points: config.UPLOAD_RATE_LIMIT,
          windowSeconds: config.UPLOAD_RATE_WINDOW_SECONDS,
          quotaBytes: config.UPLOAD_QUOTA_BYTES,
        }),
        inspections: { concurrency: config.UPLOAD_INSPECTIONS, waitMs: config.UPLOAD_INSPECTION_WAIT_MS },
        accelRedirect: config.FILES_ACCEL_REDIRECT,
      }),
  });
  const sweeper = startFileSweeper(db, storage, logger, config);
  return {
    ...server,
    db,
    storage,
    sweepFiles: sweeper.run,
    redis: backing.redis,
    broker: backing.broker,
    async close() {
      await server.close();
      await sweeper.stop();
      await events.close();
      await backing.close();
    },
  };
}
