import { inDevelopment } from '@keylab/config';
import { sessionRevocations, type SessionRevocations } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { assertEmailTopology, assertUserEventsTopology, emailQueues } from '@keylab/messaging';
import {
  connectBackingServices,
  loadTypeDefs,
  startSubgraph,
  type BackingServices,
  type RunningServer,
  gatewaySecret,
  accessTokenVerifier,
} from '@keylab/server';
import type { UsersConfig } from './config';
import { createUsersDb, type UsersDb } from './db/client';
import { accounts, type Accounts } from './domain/accounts';
import { CodeHasher } from './domain/codes';
import { localSecret, randomSecret } from './domain/local-secrets';
import { startOutboxRelay, type OutboxRelay } from './domain/outbox';
import { passwordHasher, type PasswordHasher } from './domain/password-hasher';
import { createRateLimits } from './domain/rate-limits';
import { revokeEverywhere } from './domain/sessions';
import { loadSigningKeys, type SigningKeys } from './domain/signing-keys';
import { incomingRefreshToken, refreshCookie } from './http/refresh-cookie';
import type { UsersContext } from './context';
import { resolvers, usersLoader } from './resolvers';

export const JWKS_PATH = '/.well-known/jwks.json';

export interface UsersService extends RunningServer, Pick<BackingServices, 'redis' | 'broker'> {
  db: UsersDb;
  keys: SigningKeys;
  accounts: Accounts;
  relay: OutboxRelay;
  passwords: PasswordHasher;
  rateLimitPrefix: string;
  /** The list of ended sessions every process reads (this service writes it). */
  revocations: SessionRevocations;
}

export async function startUsersService(config: UsersConfig, logger: Logger): Promise<UsersService> {
  const db = createUsersDb(config.DATABASE_URL);
  const dataDir = config.KEYLAB_DATA_DIR || undefined;
  const keys = await loadSigningKeys({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    privateJwk: config.JWT_SIGNING_KEY || undefined,
    previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_KEY || undefined,
    dataDir,
  });
  const codeSecret = config.CODE_SECRET || (await localSecret(dataDir, 'users-code-secret.json', randomSecret));
  const emailNames = { exchange: config.EMAIL_EXCHANGE, queue: config.EMAIL_QUEUE };
  const backing = connectBackingServices(
    'users',
    config,
    db,
    logger,
    async (channel) => {
      await assertEmailTopology(channel, emailNames);
      await assertUserEventsTopology(channel, config.USER_EVENTS_EXCHANGE);
    },
    emailQueues(emailNames),
  );
  const relay = startOutboxRelay(db, backing.broker, logger, [config.EMAIL_EXCHANGE, config.USER_EVENTS_EXCHANGE]);
  const revocations = sessionRevocations(backing.redis, { prefix: 'keylab', tokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
  const revokeSessionsEverywhere = revokeEverywhere(revocations, logger);
  const passwords = passwordHasher({
    concurrency: config.PASSWORD_HASH_CONCURRENCY,
    priority: config.PASSWORD_HASH_PRIORITY,
  });
  const userAccounts = accounts({
    db,
    hasher: new CodeHasher(codeSecret),
    passwords,
    limits: createRateLimits(backing.redis, config.RATE_LIMIT_PREFIX),
    relay,
    revokeEverywhere: revokeSessionsEverywhere,
    logger,
    emailExchange: config.EMAIL_EXCHANGE,
    userEventsExchange: config.USER_EVENTS_EXCHANGE,
    sessionTtlDays: config.SESSION_TTL_DAYS,
    codeRequestFloorMs: config.CODE_REQUEST_FLOOR_MS,
  });
  // users verifies its own tokens from the same key set it publishes.
  const verifyAccessToken = accessTokenVerifier(
    { jwks: keys.jwks, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    backing.redis,
    logger,
  );
  const server = await startSubgraph<UsersContext>({
    name: 'users',
    typeDefs: loadTypeDefs(new URL('./schema.graphql', import.meta.url)),
    resolvers,
    port: config.PORT,
    logger,
    verifyAccessToken,
    host: config.HOST,
    sandbox: inDevelopment(config.SANDBOX, config.NODE_ENV),
    gatewaySecret: await gatewaySecret(config),
    checks: backing.checks,
    // The request is read here once: resolvers and domain code get values.
    extendContext: (base, { req, res }) => ({
      ...base,
      db,
      users: usersLoader(db),
      accounts: userAccounts,
      keys,
      refreshGraceSeconds: config.REFRESH_GRACE_SECONDS,
      revokeEverywhere: revokeSessionsEverywhere,
      userAgent: req.headers['user-agent'],
      refreshToken: incomingRefreshToken(req),
      refreshCookie: refreshCookie(res, config.COOKIE_SECURE),
    }),
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
    accounts: userAccounts,
    relay,
    passwords,
    rateLimitPrefix: config.RATE_LIMIT_PREFIX,
    revocations,
    redis: backing.redis,
    broker: backing.broker,
    async close() {
      await server.close();
      await passwords.close();
      await relay.stop();
      await backing.close();
    },
  };
}
