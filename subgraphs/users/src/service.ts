import { createAccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { loadTypeDefs, startSubgraph, type RunningServer } from '@keylab/server';
import type { UsersConfig } from './config';
import { createUsersDb, type UsersDb } from './db/client';
import { loadSigningKeys, type SigningKeys } from './domain/signing-keys';
import { resolvers, usersLoader, type UsersContext } from './resolvers';

export const JWKS_PATH = '/.well-known/jwks.json';

export interface UsersService extends RunningServer {
  db: UsersDb;
  keys: SigningKeys;
}

export async function startUsersService(config: UsersConfig, logger: Logger): Promise<UsersService> {
  const db = createUsersDb(config.DATABASE_URL);
  const keys = await loadSigningKeys({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    privateJwk: config.JWT_SIGNING_KEY,
    previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_KEY,
    dataDir: config.KEYLAB_DATA_DIR,
  });
  // users verifies its own tokens from the same key set it publishes.
  const verifyAccessToken = createAccessTokenVerifier({
    jwks: keys.jwks,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const server = await startSubgraph<UsersContext>({
    name: 'users',
    typeDefs: loadTypeDefs(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    port: config.PORT,
    logger,
    verifyAccessToken,
    sandbox: config.SANDBOX,
    checks: { postgres: () => db.$queryRaw`SELECT 1` },
    extendContext: (base) => ({ ...base, users: usersLoader(db) }),
    routes: (app) => {
      app.get(JWKS_PATH, (_req, res) => {
        res.set('Cache-Control', 'public, max-age=300').json(keys.jwks);
      });
    },
  });
  return {
    ...server,
    db,
    keys,
    async close() {
      await server.close();
      await db.$disconnect();
    },
  };
}
