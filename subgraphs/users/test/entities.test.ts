import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '@keylab/server';
import { postGraphQL, startStack, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([stack.createUser(), stack.createUser()]);
});

afterAll(async () => {
  await stack?.keyboards.db.box.deleteMany({ where: { ownerId: { in: [alice?.id, bob?.id].filter(Boolean) as string[] } } });
  await stack?.close();
});

const entities = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id nickname email } }
}`;

describe('User entity', () => {
  it('resolves a batch of references by global id or plain UUID, in order, with null for an unknown, foreign or malformed id', async () => {
    const representations = [
      { __typename: 'User', id: bob.globalId },
      { __typename: 'User', id: crypto.randomUUID() },
      { __typename: 'User', id: alice.id },
      { __typename: 'User', id: 'not-a-uuid' },
      { __typename: 'User', id: toGlobalId('Box', bob.id) },
      { __typename: 'User', id: bob.id },
    ];
    const { data, errors } = await postGraphQL<{ _entities: unknown[] }>(`${stack.users.url}/graphql`, entities, {
      variables: { representations },
      headers: stack.gatewayProof(),
    });
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual([
      { id: bob.globalId, nickname: bob.nickname, email: null },
      null,
      { id: alice.globalId, nickname: alice.nickname, email: null },
      null,
      null,
      { id: bob.globalId, nickname: bob.nickname, email: null },
    ]);
  });

  it('shows the email only to the account itself', async () => {
    const { data } = await postGraphQL<{ _entities: { email: string | null }[] }>(`${stack.users.url}/graphql`, entities, {
      headers: stack.gatewayProof(),
      variables: {
        representations: [
          { __typename: 'User', id: alice.globalId },
          { __typename: 'User', id: bob.globalId },
        ],
      },
      token: alice.token,
    });
    expect(data!._entities.map((user) => user.email)).toEqual([alice.email, null]);
  });

  it('shows an administrator every email and roles, as the Role enum', async () => {
    const admin = await stack.createUser(['user', 'admin']);
    const me = await stack.graphql<{ me: { roles: string[] } }>('{ me { roles } }', { token: admin.token });
    expect(me.data?.me.roles).toEqual(['ADMIN', 'USER']);
    const { data } = await postGraphQL<{ _entities: { email: string | null; roles: string[] | null }[] }>(
      `${stack.users.url}/graphql`,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { email roles } } }',
      { headers: stack.gatewayProof(), variables: { r: [{ __typename: 'User', id: bob.globalId }] }, token: admin.token },
    );
    expect(data!._entities).toEqual([{ email: bob.email, roles: ['USER'] }]);
    const asBob = await stack.graphql<{ me: { roles: string[] } }>('{ me { roles } }', { token: bob.token });
    expect(asBob.data?.me.roles).toEqual(['USER']);
  });

  it('gives out a global id that the keyboards subgraph takes back and hands on: me, my boxes, their owner', async () => {
    await stack.keyboards.db.box.create({
      data: { ownerId: alice.id, title: 'Round trip box', boxType: { connect: { title: '60%' } } },
    });
    const { data, errors } = await stack.graphql<{
      me: { id: string; boxes: { nodes: { title: string; owner: { id: string; nickname: string } }[] } };
    }>('{ me { id boxes { nodes { title owner { id nickname } } } } }', { token: alice.token });
    expect(errors).toBeUndefined();
    expect(data!.me.id).toBe(alice.globalId);
    expect(data!.me.boxes.nodes).toEqual([{ title: 'Round trip box', owner: { id: alice.globalId, nickname: alice.nickname } }]);
  });

  it('publishes its public signing keys as a JWKS, without private parts', async () => {
    const response = await fetch(`${stack.users.url}/.well-known/jwks.json`);
    const jwks = (await response.json()) as { keys: Record<string, string>[] };
    expect(response.headers.get('cache-control')).toMatch(/max-age/);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys[0]!.kid).toBeTruthy();
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
