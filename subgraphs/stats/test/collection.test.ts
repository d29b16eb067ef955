import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, waitFor, type TcpProxy } from '@keylab/testing';
import { toGlobalId, uuidOf } from '@keylab/server';
import { cookiesOf, cookieValue, startStack, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
let proxy: TcpProxy;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  const amqp = new URL(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  proxy = await startTcpProxy(Number(amqp.port || 5672), amqp.hostname);
  const throughProxy = new URL(amqp);
  throughProxy.port = String(proxy.port);
  // Only the gateway reaches RabbitMQ through the proxy, so cutting it leaves the consumer running.
  stack = await startStack({ gatewayEnv: { AMQP_URL: throughProxy.toString() } });
  [admin, user] = await Promise.all([stack.createUser(['user', 'admin']), stack.createUser()]);
});

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

const visitorId = () => crypto.randomUUID().replaceAll('-', '');
const eventsOf = (visitor: string) => stack.stats.db.event.findMany({ where: { visitorId: visitor }, orderBy: { at: 'asc' } });

describe('automatic collection through the gateway', () => {
  it('records every operation with visitor, user, duration and outcome, and the catalogue views it caused', async () => {
    const visitor = visitorId();
    const headers = { 'x-visitor-id': visitor };
    const first = await stack.graphql<{ keyboards: { nodes: { id: string }[] } }>(
      'query Catalogue { switches { totalCount } keyboards(first: 1) { nodes { id } } }',
      { headers },
    );
    const keyboardId = first.data!.keyboards.nodes[0]!.id;
    // Events keep the catalogue's own UUID; the API gives out its global id.
    const storedId = uuidOf('Keyboard', keyboardId);
    await stack.graphql('query OneKeyboard($id: ID!) { keyboard(id: $id) { id } }', {
      variables: { id: keyboardId },
      headers,
      token: user.token,
    });
    await stack.graphql('mutation Rename($id: ID!) { renameBox(input: { id: $id, title: "Whatever" }) { box { id } } }', {
      variables: { id: toGlobalId('Box', crypto.randomUUID()) },
      headers,
    });
    await stack.graphql('{ nothingHere }', { headers });
    await stack.graphql('query Schema { __schema { queryType { name } } }', { headers });

    await waitFor(async () => (await eventsOf(visitor)).filter((e) => e.tag === 'operation').length >= 4);
    await waitFor(async () => (await eventsOf(visitor)).some((e) => e.tag === 'see_keyboard' && e.itemId === storedId));
    const events = await eventsOf(visitor);
    const operations = events.filter((e) => e.tag === 'operation');
    expect(
      operations.map((e) => ({
        name: e.operationName,
        type: e.operationType,
        outcome: e.outcome,
        code: e.errorCode,
        user: e.userId,
      })),
    ).toEqual([
      { name: 'Catalogue', type: 'query', outcome: 'success', code: null, user: null },
      { name: 'OneKeyboard', type: 'query', outcome: 'success', code: null, user: user.id },
      { name: 'Rename', type: 'mutation', outcome: 'error', code: 'UNAUTHENTICATED', user: null },
      { name: null, type: null, outcome: 'error', code: 'GRAPHQL_VALIDATION_FAILED', user: null },
    ]);
    expect(operations.every((e) => typeof e.durationMs === 'number' && e.durationMs >= 0)).toBe(true);
    expect(
      events
        .filter((e) => e.tag !== 'operation')
        .map((e) => `${e.tag}:${e.itemId ?? ''}`)
        .sort(),
    ).toEqual(['see_keyboard:', `see_keyboard:${storedId}`, 'see_switch:'].sort());

    const [visit] = await stack.stats.db.visit.findMany({ where: { visitorId: visitor } });
    expect(visit).toMatchObject({ operations: 4, events: 7, userId: user.id });

    // The overview names the keyboard through the catalogue subgraph, and counts this visitor as present.
    const overview = await stack.graphql<{
      statsOverview: {
        topKeyboards: { keyboardId: string; keyboard: { title: string } | null; views: number }[];
        visitorsNow: number;
      };
    }>(
      `query ($input: OverviewInput!) { statsOverview(input: $input) { topKeyboards { keyboardId keyboard { title } views } visitorsNow } }`,
      {
        variables: { input: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString(), top: 50 } },
        token: admin.token,
      },
    );
    expect(overview.errors).toBeUndefined();
    const viewed = overview.data!.statsOverview.topKeyboards.find((row) => row.keyboardId === keyboardId);
    expect(viewed?.views).toBeGreaterThanOrEqual(1);
    expect(viewed?.keyboard?.title).toEqual(expect.any(String));
    expect(overview.data!.statsOverview.visitorsNow).toBeGreaterThanOrEqual(1);
  });

  it('counts a browser by the visitor cookie the gateway sets on its first request', async () => {
    const first = await stack.graphql('query First { boxTypes { id } }');
    const cookie = cookieValue(cookiesOf(first).kl_vid);
    expect(cookie).toMatch(/^[0-9a-f]{32}$/);
    await stack.graphql('query Second { boxTypes { id } }', { headers: { cookie: `kl_vid=${cookie}` } });
    await waitFor(async () => (await eventsOf(cookie)).length === 2);
    expect((await eventsOf(cookie)).map((e) => e.operationName)).toEqual(['First', 'Second']);
  });

  it('counts the current bucket fresh on every request', async () => {
    const input = {
      from: new Date(Date.now() - 10 * 60_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
      interval: 'MINUTE',
    };
    const query = `query ($input: ActivitySeriesInput!) { activitySeries(input: $input) { points { start events } } }`;
    const total = async () => {
      const answer = await stack.graphql<{ activitySeries: { points: { events: number }[] } }>(query, {
        variables: { input: { ...input, activities: ['SEE_KIT'] } },
        token: admin.token,
      });
      return answer.data!.activitySeries.points.reduce((sum, point) => sum + point.events, 0);
    };
    const before = await total();
    const kit = await stack.graphql<{ kits: { nodes: { id: string }[] } }>('{ kits(first: 1) { nodes { id } } }');
    await stack.graphql('query ($id: ID!) { kit(id: $id) { id } }', { variables: { id: kit.data!.kits.nodes[0]!.id } });
    // Two see_kit events (the list and the item); other test files may add their own meanwhile.
    await expect.poll(total, { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 2);
  });
});

describe('a RabbitMQ outage at the gateway', () => {
  it('fails no request, and every operation is counted once the broker is back', async () => {
    // The gateway is connected: the tests above saw its events arrive.
    proxy.cut();
    const visitor = visitorId();
    for (let i = 0; i < 5; i += 1) {
      const answer = await stack.graphql<{ switches: { totalCount: number } }>(`query During${i} { switches { totalCount } }`, {
        headers: { 'x-visitor-id': visitor },
      });
      expect(answer.data?.switches.totalCount).toBe(4);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await eventsOf(visitor)).filter((e) => e.tag === 'operation')).toHaveLength(0);
    proxy.restore();
    await waitFor(async () => (await eventsOf(visitor)).filter((e) => e.tag === 'operation').length === 5, 30_000);
    const names = (await eventsOf(visitor)).filter((e) => e.tag === 'operation').map((e) => e.operationName);
    expect(names).toEqual(['During0', 'During1', 'During2', 'During3', 'During4']);
  });
});
