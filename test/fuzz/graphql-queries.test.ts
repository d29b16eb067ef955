/**
 * Fuzzing the gateway's GraphQL endpoint with documents, variables and transports (queries only: the
 * mutations are in graphql-mutations.test.ts, files in uploads.test.ts). Together with the mutations
 * file, well over 10,000 generated requests; every answer must be below 500, every error must carry a
 * public extensions.code, no row may change, the heap must stay bounded and the stack must still answer.
 *
 * Replay: the seed is printed with every failure (FUZZ_SEED=<seed>, and FUZZ_CASE=<n> for one case).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import * as gen from './generators';
import {
  CONCURRENCY,
  ONLY_CASE,
  Tally,
  catalogueWorld,
  defaultIds,
  describeMemory,
  diffSnapshots,
  httpClient,
  interleave,
  keptLogs,
  pollutionCheck,
  pool,
  removeRunStatistics,
  replayHint,
  runVisitorId,
  scaled,
  sender,
  snapshotRows,
  stackAnswers,
  watchMemory,
  type DefaultIds,
  type HttpClient,
  type MemoryFigures,
} from './harness';

const FILE = 'test/fuzz/graphql-queries.test.ts';
/** Requests this file sends at least (with graphql-mutations.test.ts: more than 10,000). */
const MINIMUM = scaled(5_000);

let stack: Stack;
let user: TestUser;
let admin: TestUser;
let client: HttpClient;
let defaults: DefaultIds;
const logs = keptLogs();
const visitorId = runVisitorId();
const tally = new Tally(FILE, logs);
let memory: MemoryFigures | undefined;
let started = 0;

beforeAll(async () => {
  stack = await startStack({ logger: logs.logger });
  [user, admin] = await Promise.all([stack.createUser(), stack.createUser(['user', 'admin'])]);
  client = httpClient(new URL(stack.gatewayUrl).origin);
  defaults = await defaultIds(stack);
});

afterAll(async () => {
  if (tally.sent)
    console.log(
      tally.report(
        memory ? [`  memory: ${describeMemory(memory)}`, `  time from the first request: ${Date.now() - started} ms`] : [],
      ),
    );
  await tally.dump();
  client?.close();
  await stack?.close();
  await removeRunStatistics(visitorId);
});

describe('generated queries through the gateway', () => {
  it(`answers at least ${MINIMUM} malformed and hostile requests below 500, with public codes, changing nothing`, async () => {
    const world = await catalogueWorld(stack, defaults, 'fuzz.invalid');
    const before = await snapshotRows(stack, [user.id, admin.id], defaults);
    const streams = [
      gen.sample(gen.brokenDocuments(), scaled(1_300), 'broken'),
      gen.sample(gen.variableCases(world, gen.QUERIES, ['anonymous', 'user'], false), scaled(1_650), 'variables'),
      gen.sample(
        gen.variableCases(
          world,
          gen.QUERIES.filter((op) => op.admin),
          ['admin', 'user'],
          false,
        ),
        scaled(200),
        'stats',
      ),
      gen.sample(gen.literalCases(world), scaled(250), 'literals'),
      gen.sample(gen.deepCases(), scaled(150), 'deep'),
      gen.sample(gen.aliasCases(world), scaled(120), 'aliases'),
      gen.sample(gen.hugeListCases(world), scaled(40), 'lists'),
      gen.sample(gen.invalidJsonCases(), scaled(380), 'json'),
      gen.sample(gen.contentTypeCases(), scaled(250), 'content-types'),
      gen.sample(gen.getCases(world), scaled(280), 'get'),
      gen.sample(gen.batchCases(world), scaled(120), 'batch'),
      gen.sample(gen.headerCases(), scaled(280), 'headers'),
      // Anonymous mutations: refused, whatever they carry.
      gen.sample(gen.variableCases(world, gen.MUTATIONS, ['anonymous'], false), scaled(150), 'anonymous-mutations'),
    ];
    const bomb = await gen.gzipBombBody();
    streams.push(
      ['gzip', 'deflate', 'gzip'].map((encoding) => ({
        ...gen.jsonRequest('content-type', 'anonymous', null),
        headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'x-forwarded-for': gen.clientAddress() },
        body: bomb,
      })),
    );
    const cases = interleave(streams);
    const chosen = ONLY_CASE === undefined ? cases : [cases[ONLY_CASE]!];
    const send = sender(client, { user: user.token, admin: admin.token }, visitorId);

    started = Date.now();
    const watch = watchMemory();
    await pool(chosen, CONCURRENCY, async (request, i) => {
      const index = ONLY_CASE ?? i;
      tally.record(index, request, await send(request));
    });
    memory = watch.stop();

    expect(tally.failures(), tally.failures()).toBe('');
    if (ONLY_CASE === undefined) expect(tally.sent).toBeGreaterThanOrEqual(MINIMUM);

    // Queries change nothing: the two accounts and the default catalogue are as they were.
    const after = await snapshotRows(stack, [user.id, admin.id], defaults);
    const changes = diffSnapshots(before, after);
    expect(changes, `${changes.join('\n')}\n${replayHint(FILE)}`).toEqual([]);
  }, 240_000);

  it('leaves the stack answering, Object.prototype clean and the heap bounded', async () => {
    expect(await stackAnswers(client)).toEqual([]);
    expect(pollutionCheck()).toEqual([]);
    expect(memory, 'the fuzz run did not finish').toBeDefined();
    // Generous: the stack, its caches and the query plan cache live in this process.
    const bound = memory!.gc ? 300 : 600;
    expect(memory!.endMb - memory!.startMb, describeMemory(memory!)).toBeLessThan(bound);
  });
});

describe('bugs found by fuzzing (each fails until fixed)', () => {
  const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

  // Found by the `variables` stream: `after` is only checked for its shape (pagination.ts decodeCursor), so
  // an id that is not a UUID reaches the uuid column: PostgreSQL 22P02 at items.ts pageOfItems, INTERNAL.
  it('answers a list cursor whose id is not a UUID with BAD_USER_INPUT, not INTERNAL', async () => {
    const answer = await stack.graphql(`{ boxes(after: "${cursorOf(['2026-01-01T00:00:00.000Z', 'nope'])}") { totalCount } }`);
    expect(answer.status).toBeLessThan(500);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  // Same cause in catalogue.ts listSwitches (and listKeycaps): the title in the cursor goes to PostgreSQL
  // as is, and a U+0000 in it is 22021 "invalid byte sequence for encoding UTF8: 0x00", INTERNAL.
  it('answers a switches cursor holding U+0000 with BAD_USER_INPUT, not INTERNAL', async () => {
    const answer = await stack.graphql(`{ switches(after: "${cursorOf(['MX\u0000', crypto.randomUUID()])}") { totalCount } }`);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  const post = async (body: unknown, token?: string) => {
    const answer = await client.send(
      'POST',
      '/graphql',
      {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      JSON.stringify(body),
    );
    const json = JSON.parse(answer.body.toString()) as { errors?: { extensions?: Record<string, unknown> }[] };
    return { status: answer.status, code: json.errors?.[0]?.extensions?.code, extensions: json.errors?.[0]?.extensions };
  };

  // Found by the `get` and `broken-document` streams: the gateway's executor throws while resolving the
  // operation, which Apollo answers as an internal error (HTTP 500); errorPolicyPlugin (packages/server
  // graphql.ts) then logs "unexpected error" and sends INTERNAL. Nothing checks the operation earlier.
  it('answers an unknown operationName with a 400 and a public code, not 500 INTERNAL', async () => {
    const answer = await post({ query: '{ boxTypes { id } }', operationName: 'Nope' });
    expect(answer).toMatchObject({ status: 400 });
    expect(answer.code).not.toBe('INTERNAL');
  });

  it('answers two operations without an operationName with a 400 and a public code, not 500 INTERNAL', async () => {
    const answer = await post({ query: 'query A { boxTypes { id } } query B { me { id } }' });
    expect(answer).toMatchObject({ status: 400 });
    expect(answer.code).not.toBe('INTERNAL');
  });

  it('answers a subscription (the supergraph has none) with a 400 and a public code, not 500 INTERNAL', async () => {
    const answer = await post({ query: 'subscription { boxTypes { id } }' });
    expect(answer).toMatchObject({ status: 400 });
    expect(answer.code).not.toBe('INTERNAL');
  });

  // Found by the `stats` stream: custom scalars are opaque at the gateway, so a DateTime that is no date
  // reaches the stats subgraph, which refuses the variables with HTTP 400 and BAD_USER_INPUT; the gateway's
  // data source turned any non-2xx into "400: Bad Request", answered INTERNAL (anonymous callers too).
  // Fixed meanwhile by ForwardingDataSource.didEncounterError (gateway/src/data-source.ts): kept as a check.
  it('answers a stats period whose DateTime is no date with BAD_USER_INPUT, not INTERNAL', async () => {
    const answer = await post(
      {
        query: 'query ($input: SeriesInput!) { attendanceSeries(input: $input) { visits } }',
        variables: { input: { from: '2026-13-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } },
      },
      admin.token,
    );
    expect(answer.code).toBe('BAD_USER_INPUT');
  });

  // Found by the `stats` stream: statsIntervals gives maxPeriodSeconds = (MAX_BUCKETS - 1) × seconds, which
  // for MONTH is 1499 × 2,419,200 = 3,626,380,800, past GraphQL's 32-bit Int (subgraphs/stats resolvers.ts
  // and schema.graphql StatsIntervalInfo.maxPeriodSeconds: Int!): every administrator asking gets INTERNAL.
  it('lists the stats intervals with their longest periods to an administrator', async () => {
    const answer = await post({ query: '{ statsIntervals { interval maxPeriodSeconds } }' }, admin.token);
    expect(answer.code).toBeUndefined();
  });

  // Found by the `invalid-json` stream: Apollo's own request errors for persisted queries carry no code;
  // errorPolicyPlugin (packages/server/src/graphql.ts) logs them as unexpected and answers INTERNAL (HTTP 400).
  it('answers a persisted query of an unknown version with a public code other than INTERNAL', async () => {
    const answer = await post({ extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } } });
    expect(answer.status).toBe(400);
    expect(answer.code).not.toBe('INTERNAL');
  });

  // Found by the `content-type` stream: mountGraphQL's error handler (packages/server/src/graphql.ts) turns
  // only "too large" and "not JSON" into GraphQL errors and passes every other body-parser error on to
  // Express's default handler: an HTML page without extensions.code, with the stack trace and file paths
  // whenever NODE_ENV is not production (415 for an unknown Content-Encoding, 400 for a body that is not gzip).
  it('answers a body with an unknown Content-Encoding with a GraphQL error, not an HTML page with a stack trace', async () => {
    const answer = await client.send(
      'POST',
      '/graphql',
      { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      '{"query":"{ boxTypes { id } }"}',
    );
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers['content-type']).toMatch(/json/);
    expect(answer.body.toString()).not.toMatch(/node_modules|\bat /);
  });
});
