import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { keyboardsSettings, startKeyboardsService } from '@keylab/keyboards-subgraph';
import { freePort, startTcpProxy, waitFor, type TcpProxy } from '@keylab/testing';
import { startStack, TEST_DATABASES, TEST_FILES_DIR, type Stack, type TestUser } from '@keylab/test-support';

/**
 * The whole stack with RabbitMQ, Redis and the catalogue's PostgreSQL behind TCP relays that the tests cut
 * and restore, as outages would, with the gateway's way to the users subgraph behind one too, and with the
 * catalogue subgraph killed and started again.
 */

let stack: Stack;
let amqp: TcpProxy;
let redis: TcpProxy;
let postgres: TcpProxy;
let usersRelay: TcpProxy;
let user: TestUser;
let admin: TestUser;

const through = (url: string, proxy: TcpProxy) => {
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(proxy.port);
  return relayed.toString();
};
const ip = () => ({ 'x-forwarded-for': `10.66.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
const visitor = () => crypto.randomUUID().replaceAll('-', '');

beforeAll(async () => {
  const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const usersPort = await freePort();
  [amqp, redis, postgres, usersRelay] = await Promise.all([
    startTcpProxy(Number(new URL(amqpUrl).port || 5672)),
    startTcpProxy(Number(new URL(redisUrl).port || 6379)),
    startTcpProxy(Number(new URL(TEST_DATABASES.keyboards).port || 5432)),
    startTcpProxy(usersPort),
  ]);
  stack = await startStack({
    email: true,
    env: { AMQP_URL: through(amqpUrl, amqp), REDIS_URL: through(redisUrl, redis) },
    usersEnv: { PORT: String(usersPort) },
    keyboardsEnv: { DATABASE_URL: through(TEST_DATABASES.keyboards, postgres) },
    gatewayEnv: { USERS_URL: `http://127.0.0.1:${usersRelay.port}/graphql` },
  });
  [user, admin] = await Promise.all([stack.createUser(), stack.createUser(['user', 'admin'])]);
});

afterAll(async () => {
  for (const proxy of [amqp, redis, postgres, usersRelay]) proxy?.restore();
  await stack?.close();
  await Promise.all([amqp?.close(), redis?.close(), postgres?.close(), usersRelay?.close()]);
});

/** One operation over the three subgraphs: the account (users and keyboards), the catalogue and statistics. */
const SPANNING = '{ me { nickname keyboards { totalCount } } switches(first: 2) { nodes { id } } activityKinds { tag } }';
interface Spanning {
  me: { nickname: string; keyboards: { totalCount: number } | null } | null;
  switches: { nodes: { id: string }[] } | null;
  activityKinds: { tag: string }[] | null;
}

/** Every error of the answer is the typed one for that subgraph being unreachable. */
function expectOnlyUnavailable(answer: { errors?: { extensions?: Record<string, unknown> }[] }, service: string) {
  expect(answer.errors?.length).toBeGreaterThan(0);
  for (const error of answer.errors ?? []) {
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service });
  }
}

describe('RabbitMQ goes away during traffic', () => {
  it('fails no request, then delivers every verification email once and counts every operation', async () => {
    await waitFor(() => stack.users.broker.isConnected() && stack.keyboards.broker.isConnected());
    amqp.cut();
    const addresses = Array.from({ length: 3 }, () => `fault-${crypto.randomUUID()}@example.test`);
    const browsing = visitor();
    for (const email of addresses) {
      const answer = await stack.graphql<{ requestSignUpCode: { accepted: boolean } }>(
        'mutation ($email: String!) { requestSignUpCode(input: { email: $email }) { accepted } }',
        { variables: { email }, headers: ip() },
      );
      expect(answer.data?.requestSignUpCode.accepted).toBe(true);
    }
    for (let i = 0; i < 5; i += 1) {
      const answer = await stack.graphql<{ boxTypes: unknown[] }>(`query Outage${i} { boxTypes { id } }`, {
        headers: { 'x-visitor-id': browsing },
      });
      expect(answer.data?.boxTypes).toHaveLength(4);
    }
    expect(addresses.flatMap((address) => stack.mailbox.to(address))).toHaveLength(0);
    amqp.restore();

    for (const address of addresses) await stack.mailbox.next(address, 1, 30_000);
    const operations = () => stack.stats.db.event.count({ where: { visitorId: browsing, tag: 'operation' } });
    await waitFor(async () => (await operations()) === 5, 30_000);
    // A little longer: a duplicate would show up now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(addresses.map((address) => stack.mailbox.to(address).length)).toEqual([1, 1, 1]);
    expect(await operations()).toBe(5);
  });
});

describe('Redis goes away', () => {
  it('keeps the catalogue answering, refuses sign-in (rate limits fail closed), and recovers', async () => {
    redis.cut();
    try {
      const list = await stack.graphql<{ boxes: { totalCount: number } }>('{ boxes { totalCount } }');
      expect(list.errors).toBeUndefined();
      expect(list.data!.boxes.totalCount).toBeGreaterThan(0);
      const signIn = await stack.graphql(
        'mutation { signIn(input: { email: "nobody@example.test", password: "whatever-123" }) { accessToken } }',
        {
          headers: ip(),
        },
      );
      expect(signIn.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    } finally {
      redis.restore();
    }
    await waitFor(() => stack.users.redis.status === 'ready', 20_000);
    const signIn = await stack.graphql(
      'mutation { signIn(input: { email: "nobody@example.test", password: "whatever-123" }) { accessToken } }',
      {
        headers: ip(),
      },
    );
    expect(signIn.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('PostgreSQL restarts under the catalogue', () => {
  it('fails those requests cleanly with INTERNAL and a request id, then serves again', async () => {
    postgres.cut();
    try {
      const answer = await stack.graphql<{ boxTypes: unknown[] | null }>('{ boxTypes { id } }');
      expect(answer.status).toBe(200);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'INTERNAL', requestId: expect.any(String) });
      expect(answer.errors?.[0]?.message).not.toMatch(/prisma|postgres|ECONN/i);
      // The users subgraph has its own database and keeps answering.
      const me = await stack.graphql<{ me: { id: string } }>('{ me { id } }', { token: user.token });
      expect(me.data?.me.id).toBe(user.globalId);
    } finally {
      postgres.restore();
    }
    await waitFor(async () => {
      const answer = await stack.graphql<{ boxTypes: unknown[] | null }>('{ boxTypes { id } }');
      return answer.data?.boxTypes?.length === 4;
    }, 20_000);
  });
});

describe('the catalogue subgraph is killed', () => {
  it('answers the rest of the operation with a typed error for the missing part, and recovers when it is back', async () => {
    const port = new URL(stack.keyboards.url).port;
    await stack.keyboards.close();
    const query = `{ me { id } switch(id: "${crypto.randomUUID()}") { id } }`;
    const partial = await stack.graphql<{ me: { id: string } | null; switch: unknown }>(query, {
      token: user.token,
      headers: { 'accept-language': 'ru' },
    });
    expect(partial.status).toBe(200);
    expect(partial.data?.me?.id).toBe(user.globalId);
    expect(partial.data?.switch).toBeNull();
    expect(partial.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'keyboards' });
    expect(partial.errors?.[0]?.message).toBe(
      'Часть ответа отсутствует: сервис keyboards сейчас недоступен. Повторите попытку чуть позже.',
    );
    // Across the three subgraphs, only the catalogue's fields are missing (each nullable, so alone).
    const spanning = await stack.graphql<Spanning>(SPANNING, { token: admin.token });
    expect(spanning.status).toBe(200);
    expectOnlyUnavailable(spanning, 'keyboards');
    expect(spanning.data).toEqual({
      me: { nickname: admin.nickname, keyboards: null },
      switches: null,
      activityKinds: expect.arrayContaining([{ tag: expect.any(String) }]),
    });

    const revived = await startKeyboardsService(
      parseConfig(keyboardsSettings, {
        PORT: port,
        LOG_LEVEL: 'silent',
        DATABASE_URL: TEST_DATABASES.keyboards,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        JWKS_URL: `${stack.users.url}/.well-known/jwks.json`,
        FILES_DIR: TEST_FILES_DIR,
        CACHE_PREFIX: `test-${crypto.randomUUID()}`,
        STATS_EXCHANGE: stack.statsExchange,
        GATEWAY_SECRET: stack.gatewaySecret,
      }),
      createLogger('keyboards', 'silent'),
    );
    // The stack closes what runs now.
    (stack as { keyboards: typeof revived }).keyboards = revived;
    const whole = await stack.graphql<{ me: { id: string }; switch: unknown }>(query, { token: user.token });
    expect(whole.errors).toBeUndefined();
    expect(whole.data).toEqual({ me: { id: user.globalId }, switch: null });
    const types = await stack.graphql<{ boxTypes: unknown[] }>('{ boxTypes { id } }');
    expect(types.data?.boxTypes).toHaveLength(4);
  });
});

describe('the users subgraph cannot be reached', () => {
  it('answers the catalogue and statistics of an operation across the three subgraphs, and recovers', async () => {
    usersRelay.cut();
    try {
      const partial = await stack.graphql<Spanning>(SPANNING, { token: admin.token });
      expect(partial.status).toBe(200);
      expectOnlyUnavailable(partial, 'users');
      expect(partial.data?.me).toBeNull();
      expect(partial.data?.switches?.nodes).toHaveLength(2);
      expect(partial.data?.activityKinds).toEqual(expect.arrayContaining([{ tag: expect.any(String) }]));
    } finally {
      usersRelay.restore();
    }
    const whole = await stack.graphql<Spanning>(SPANNING, { token: admin.token });
    expect(whole.errors).toBeUndefined();
    expect(whole.data?.me).toEqual({ nickname: admin.nickname, keyboards: { totalCount: 0 } });
  });
});
