import { randomBytes } from 'node:crypto';
import { parseConfig } from '@keylab/config';
import { gatewaySettings, startGateway } from '@keylab/gateway';
import { startKeyboardsService, keyboardsSettings, type KeyboardsService } from '@keylab/keyboards-subgraph';
import { createLogger, type Logger } from '@keylab/logger';
import { gatewayProofHeaders, toGlobalId } from '@keylab/server';
import { startStatsService, statsSettings, type StatsService } from '@keylab/stats-subgraph';
import {
  hashPassword,
  JWKS_PATH,
  openSession,
  startUsersService,
  usersSettings,
  type UsersService,
} from '@keylab/users-subgraph';
import { emailSettings, startEmailWorker } from '@keylab/email-worker';
import { emailTopology, signUpsTopology, type SignUpsTopology } from '@keylab/messaging';
import { TEST_DATABASES, TEST_FILES_DIR } from './databases';
import { startMailbox, waitFor, type Mailbox } from '@keylab/testing';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestUser {
  /** The database UUID (for rows, cleanup and token claims). */
  id: string;
  /** The id the API gives out for this account (User.id). */
  globalId: string;
  email: string;
  nickname: string;
  roles: string[];
  token: string;
}

export interface Stack {
  gatewayUrl: string;
  users: UsersService;
  keyboards: KeyboardsService;
  stats: StatsService;
  /** The stack's own statistics exchange (its gateway and keyboards publish there, its stats consumes it). */
  statsExchange: string;
  /** The stack's own users' events exchange and the stats service's sign-ups queue bound to it. */
  signUps: SignUpsTopology;
  /** With `email: true`: what the email worker delivered. */
  mailbox: Mailbox;
  /** Sends one operation through the gateway, as a browser would (JSON POST). */
  graphql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** Headers that let a test call a subgraph directly, as the gateway does (its proof, nobody's address). */
  gatewayProof(): Record<string, string>;
  /** The secret this stack's gateway signs with (for a test that starts a gateway of its own). */
  gatewaySecret: string;
  /**
   * Creates an account straight in the users database, with a signed access token; removed on close.
   * With a password, the account can also sign in (as a browser would, through signIn).
   */
  createUser(roles?: string[], options?: { password?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

const silent = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface StackOptions {
  /** Settings for every process, over the test defaults. */
  env?: Record<string, string>;
  logger?: Logger;
  /** Settings for the users subgraph only (for example an AMQP_URL through a TcpProxy). */
  usersEnv?: Record<string, string>;
  /** Settings for the keyboards subgraph only. */
  keyboardsEnv?: Record<string, string>;
  /** Settings for the stats subgraph only. */
  statsEnv?: Record<string, string>;
  /** Settings for the gateway only. */
  gatewayEnv?: Record<string, string>;
  /** Also run the email worker, sending to an in-process SMTP server (stack.mailbox), on queues of its own. */
  email?: boolean;
}

export async function postGraphQL<T>(url: string, query: string, options: RequestOptions = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphQLResponse['errors'] };
  return { status: response.status, headers: response.headers, ...body };
}

/** The whole supergraph in this process, on free ports, over the test databases. */
export async function startStack({
  env = {},
  usersEnv = {},
  keyboardsEnv = {},
  statsEnv = {},
  gatewayEnv = {},
  logger = silent,
  email = false,
}: StackOptions = {}): Promise<Stack> {
  const gatewaySecret = randomBytes(32).toString('base64url');
  const common = { LOG_LEVEL: 'silent', PORT: '0', GATEWAY_SECRET: gatewaySecret, ...env };
  // Queues of this stack only: a worker of `npm start` or of another test file never takes its emails.
  const emailNames = { exchange: `test.email.${crypto.randomUUID()}`, queue: `test.email.${crypto.randomUUID()}.send` };
  const signUps = signUpsTopology(`test.users.${crypto.randomUUID()}`, `test.stats.${crypto.randomUUID()}.sign-ups`);
  const users = await startUsersService(
    parseConfig(usersSettings, {
      CODE_REQUEST_FLOOR_MS: '50',
      RATE_LIMIT_PREFIX: `test-${crypto.randomUUID()}`,
      ...common,
      DATABASE_URL: TEST_DATABASES.users,
      KEYLAB_DATA_DIR: '',
      EMAIL_EXCHANGE: emailNames.exchange,
      EMAIL_QUEUE: emailNames.queue,
      USER_EVENTS_EXCHANGE: signUps.exchange,
      ...usersEnv,
    }),
    logger,
  );
  const mailbox = email ? await startMailbox() : (undefined as unknown as Mailbox);
  const retryDelays = '200,400,800';
  const statsNames = { exchange: `test.stats.${crypto.randomUUID()}`, queue: `test.stats.${crypto.randomUUID()}.ingest` };
  const worker = email
    ? await startEmailWorker(
        parseConfig(emailSettings, {
          ...common,
          SMTP_URL: mailbox.smtpUrl,
          EMAIL_EXCHANGE: emailNames.exchange,
          EMAIL_QUEUE: emailNames.queue,
          EMAIL_RETRY_DELAYS_MS: retryDelays,
        }),
        logger,
      )
    : null;
  const jwks = `${users.url}${JWKS_PATH}`;
  const [keyboards, stats] = await Promise.all([
    startKeyboardsService(
      parseConfig(keyboardsSettings, {
        CACHE_PREFIX: `test-${crypto.randomUUID()}`,
        FILES_DIR: TEST_FILES_DIR,
        ...common,
        DATABASE_URL: TEST_DATABASES.keyboards,
        JWKS_URL: jwks,
        STATS_EXCHANGE: statsNames.exchange,
        ...keyboardsEnv,
      }),
      logger,
    ),
    startStatsService(
      parseConfig(statsSettings, {
        INGEST_FLUSH_MS: '50',
        CACHE_PREFIX: `test-${crypto.randomUUID()}`,
        ...common,
        DATABASE_URL: TEST_DATABASES.stats,
        JWKS_URL: jwks,
        STATS_EXCHANGE: statsNames.exchange,
        STATS_QUEUE: statsNames.queue,
        USER_EVENTS_EXCHANGE: signUps.exchange,
        SIGN_UPS_QUEUE: signUps.queue,
        ...statsEnv,
      }),
      logger,
    ),
  ]);
  const gateway = await startGateway(
    parseConfig(gatewaySettings, {
      ...common,
      USERS_URL: `${users.url}/graphql`,
      KEYBOARDS_URL: `${keyboards.url}/graphql`,
      STATS_URL: `${stats.url}/graphql`,
      JWKS_URL: jwks,
      STATS_EXCHANGE: statsNames.exchange,
      ...gatewayEnv,
    }),
    logger,
  );
  const gatewayUrl = `${gateway.url}/graphql`;
  // As `npm start` does: the stack is there once every process says it is ready (the gateway's readiness
  // covers each subgraph's database, Redis and RabbitMQ), not merely listening.
  await waitFor(async () => (await fetch(`${gateway.url}/ready`).catch(() => null))?.ok === true, 30_000);
  const createdUsers: string[] = [];

  return {
    gatewayUrl,
    users,
    keyboards,
    stats,
    statsExchange: statsNames.exchange,
    signUps,
    mailbox,
    graphql: (query, options) => postGraphQL(gatewayUrl, query, options),
    gatewaySecret,
    gatewayProof: () => gatewayProofHeaders(gatewaySecret),
    async createUser(roles = ['user'], { password }: { password?: string } = {}) {
      const id = crypto.randomUUID();
      const email = `test-${id}@example.test`;
      const nickname = `tester_${id.slice(0, 8)}`;
      await users.db.user.create({
        data: {
          id,
          email,
          nickname,
          passwordHash: password === undefined ? null : await hashPassword(password),
          roles: { create: roles.map((roleName) => ({ roleName })) },
        },
      });
      createdUsers.push(id);
      const session = await users.db.$transaction((tx) => openSession(tx, id, 'test', 1));
      return {
        id,
        globalId: toGlobalId('User', id),
        email,
        nickname,
        roles,
        token: await users.keys.signAccessToken({ userId: id, roles, sessionId: session.sessionId }),
      };
    },
    async close() {
      await gateway.close();
      // Publishers first, so that the consumer still takes their last events.
      await keyboards.close();
      await stats.close();
      if (createdUsers.length) await users.db.user.deleteMany({ where: { id: { in: createdUsers } } });
      await worker?.close();
      await mailbox?.close();
      // Deleting a queue while the users channel is still declaring it would break that declaration.
      await users.broker.channel.waitForConnect();
      const topology = emailTopology(emailNames, retryDelays.split(',').map(Number));
      for (const queue of [topology.queue, topology.deadQueue, ...topology.retryTiers.map((tier) => tier.queue)]) {
        await users.broker.channel.deleteQueue(queue).catch(() => undefined);
      }
      await users.broker.channel.deleteExchange(topology.exchange).catch(() => undefined);
      for (const queue of [statsNames.queue, `${statsNames.queue}.dead`]) {
        await users.broker.channel.deleteQueue(queue).catch(() => undefined);
      }
      await users.broker.channel.deleteExchange(statsNames.exchange).catch(() => undefined);
      for (const queue of [signUps.queue, signUps.deadQueue]) {
        await users.broker.channel.deleteQueue(queue).catch(() => undefined);
      }
      await users.broker.channel.deleteExchange(signUps.exchange).catch(() => undefined);
      await users.close();
    },
  };
}
