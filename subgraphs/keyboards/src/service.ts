import { createAccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { connectBackingServices, loadTypeDefs, startSubgraph, type BackingServices, type RunningServer } from '@keylab/server';
import type { KeyboardsConfig } from './config';
import { createKeyboardsDb, type KeyboardsDb } from './db/client';
import { activityPublisher, assertStatsEventsTopology } from './domain/activity';
import { listCache } from './domain/cache';
import { loaders, resolvers, type KeyboardsContext } from './resolvers';

export interface KeyboardsService extends RunningServer, Pick<BackingServices, 'redis' | 'broker'> {
  db: KeyboardsDb;
}

export async function startKeyboardsService(config: KeyboardsConfig, logger: Logger): Promise<KeyboardsService> {
  const db = createKeyboardsDb(config.DATABASE_URL);
  const backing = connectBackingServices('keyboards', config, db, logger, assertStatsEventsTopology);
  const cache = listCache(backing.redis, logger, config.CACHE_PREFIX);
  const emit = activityPublisher(backing.broker, logger);
  const server = await startSubgraph<KeyboardsContext>({
    name: 'keyboards',
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
    checks: backing.checks,
    extendContext: (base) => ({ ...base, db, loaders: loaders(db), cache, emit }),
  });
  return {
    ...server,
    db,
    redis: backing.redis,
    broker: backing.broker,
    async close() {
      await server.close();
      await backing.close();
    },
  };
}
