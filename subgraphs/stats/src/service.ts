import { createAccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { connectBackingServices, loadTypeDefs, startSubgraph, type BackingServices, type RunningServer } from '@keylab/server';
import type { StatsConfig } from './config';
import { createStatsDb, type StatsDb } from './db/client';
import { resolvers, type StatsContext } from './resolvers';

export interface StatsService extends RunningServer, Pick<BackingServices, 'redis' | 'broker'> {
  db: StatsDb;
}

export async function startStatsService(config: StatsConfig, logger: Logger): Promise<StatsService> {
  const db = createStatsDb(config.DATABASE_URL);
  const backing = connectBackingServices('stats', config, db, logger);
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
    checks: backing.checks,
    extendContext: (base) => ({ ...base, db }),
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
