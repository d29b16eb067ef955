// What the gateway asks a subgraph for: through a recording proxy in front of the users subgraph.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { gatewaySettings, startGateway } from '@keylab/gateway';
import { toGlobalId } from '@keylab/server';
import { postGraphQL, startStack, type Stack, type TestUser } from '@keylab/test-support';

const secret = 'a-gateway-secret-of-the-entity-fetch-test-0123456789';
let stack: Stack;
let alice: TestUser;
let proxy: Server;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const sentToUsers: { query: string; variables?: { representations?: unknown[] } }[] = [];

beforeAll(async () => {
  stack = await startStack({ env: { GATEWAY_SECRET: secret } });
  alice = await stack.createUser();
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length) sentToUsers.push(JSON.parse(body.toString()));
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
    );
    const answer = await fetch(`${stack.users.url}${req.url}`, {
      method: req.method,
      headers: headers as Record<string, string>,
      body: body.length ? body : undefined,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  gateway = await startGateway(
    parseConfig(gatewaySettings, {
      LOG_LEVEL: 'silent',
      PORT: '0',
      GATEWAY_SECRET: secret,
      USERS_URL: `${proxied}/graphql`,
      KEYBOARDS_URL: `${stack.keyboards.url}/graphql`,
      STATS_URL: `${stack.stats.url}/graphql`,
      JWKS_URL: `${stack.users.url}/.well-known/jwks.json`,
      STATS_EXCHANGE: stack.statsExchange,
    }),
    createLogger('gateway', 'silent'),
  );
});

afterAll(async () => {
  if (alice) await stack.keyboards.db.box.deleteMany({ where: { ownerId: alice.id } });
  await gateway?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await stack?.close();
});

describe('entity fetches', () => {
  it('ask a subgraph once for an entity that occurs many times, and answer every place', async () => {
    const boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
    for (let i = 0; i < 3; i += 1) {
      const created = await stack.graphql('mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { id } } }', {
        variables: { i: { title: `Repeated owner ${i} ${crypto.randomUUID().slice(0, 6)}`, boxTypeId } },
        token: alice.token,
      });
      expect(created.errors).toBeUndefined();
    }
    sentToUsers.length = 0;
    const answer = await postGraphQL<{ boxes: { nodes: { owner: { id: string; nickname: string } }[] } }>(
      `${gateway.url}/graphql`,
      'query { boxes(owner: MINE, first: 10) { nodes { owner { id nickname } } } }',
      { token: alice.token },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.boxes.nodes).toHaveLength(3);
    for (const { owner } of answer.data!.boxes.nodes) expect(owner.nickname).toBe(alice.nickname);
    const entityFetches = sentToUsers.filter((request) => request.query.includes('_entities'));
    expect(entityFetches).toHaveLength(1);
    expect(entityFetches[0]!.variables!.representations).toHaveLength(1);
  });
});
