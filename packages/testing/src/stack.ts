import { parseConfig } from '@keylab/config';
import { gatewaySettings, startGateway } from '@keylab/gateway';
import { startKeyboardsService, keyboardsSettings, type KeyboardsService } from '@keylab/keyboards-subgraph';
import { createLogger, type Logger } from '@keylab/logger';
import { startStatsService, statsSettings, type StatsService } from '@keylab/stats-subgraph';
import { JWKS_PATH, startUsersService, usersSettings, type UsersService } from '@keylab/users-subgraph';
import { TEST_DATABASES } from './databases';

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
  id: string;
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
  /** Sends one operation through the gateway, as a browser would (JSON POST). */
  graphql<T = Record<string, unknown>>(query: string, options?: RequestOptions): Promise<GraphQLResponse<T>>;
  /** Creates an account straight in the users database, with a signed access token; removed on close. */
  createUser(roles?: string[]): Promise<TestUser>;
  close(): Promise<void>;
}

const silent = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export interface StackOptions {
  /** Settings for every process, over the test defaults. */
  env?: Record<string, string>;
  logger?: Logger;
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
export async function startStack({ env = {}, logger = silent }: StackOptions = {}): Promise<Stack> {
  const common = { LOG_LEVEL: 'silent', PORT: '0', ...env };
  const users = await startUsersService(
    parseConfig(usersSettings, { ...common, DATABASE_URL: TEST_DATABASES.users, KEYLAB_DATA_DIR: '' }),
    logger,
  );
  const jwks = `${users.url}${JWKS_PATH}`;
  const [keyboards, stats] = await Promise.all([
    startKeyboardsService(
      parseConfig(keyboardsSettings, { ...common, DATABASE_URL: TEST_DATABASES.keyboards, JWKS_URL: jwks }),
      logger,
    ),
    startStatsService(parseConfig(statsSettings, { ...common, DATABASE_URL: TEST_DATABASES.stats, JWKS_URL: jwks }), logger),
  ]);
  const gateway = await startGateway(
    parseConfig(gatewaySettings, {
      ...common,
      USERS_URL: `${users.url}/graphql`,
      KEYBOARDS_URL: `${keyboards.url}/graphql`,
      STATS_URL: `${stats.url}/graphql`,
      JWKS_URL: jwks,
    }),
    logger,
  );
  const gatewayUrl = `${gateway.url}/graphql`;
  const createdUsers: string[] = [];

  return {
    gatewayUrl,
    users,
    keyboards,
    stats,
    graphql: (query, options) => postGraphQL(gatewayUrl, query, options),
    async createUser(roles = ['user']) {
      const id = crypto.randomUUID();
      const email = `test-${id}@example.test`;
      const nickname = `tester_${id.slice(0, 8)}`;
      await users.db.user.create({
        data: { id, email, nickname, roles: { create: roles.map((roleName) => ({ roleName })) } },
      });
      createdUsers.push(id);
      return { id, email, nickname, roles, token: await users.keys.signAccessToken({ userId: id, roles }) };
    },
    async close() {
      await gateway.close();
      await Promise.all([keyboards.close(), stats.close()]);
      if (createdUsers.length) await users.db.user.deleteMany({ where: { id: { in: createdUsers } } });
      await users.close();
    },
  };
}
