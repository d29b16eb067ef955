import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startStack, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([stack.createUser(), stack.createUser()]);
});

afterAll(async () => {
  await stack?.close();
});

const entities = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id nickname email } }
}`;

describe('User entity', () => {
  it('resolves a batch of references in order, with null for an unknown or malformed id', async () => {
    const representations = [
      { __typename: 'User', id: bob.id },
      { __typename: 'User', id: crypto.randomUUID() },
      { __typename: 'User', id: alice.id },
      { __typename: 'User', id: 'not-a-uuid' },
      { __typename: 'User', id: bob.id },
    ];
    const { data, errors } = await postGraphQL<{ _entities: unknown[] }>(`${stack.users.url}/graphql`, entities, {
      variables: { representations },
      headers: stack.gatewayProof(),
    });
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual([
      { id: bob.id, nickname: bob.nickname, email: null },
      null,
      { id: alice.id, nickname: alice.nickname, email: null },
      null,
      { id: bob.id, nickname: bob.nickname, email: null },
    ]);
  });

  it('shows the email only to the account itself', async () => {
    const { data } = await postGraphQL<{ _entities: { email: string | null }[] }>(`${stack.users.url}/graphql`, entities, {
      headers: stack.gatewayProof(),
      variables: {
        representations: [
          { __typename: 'User', id: alice.id },
          { __typename: 'User', id: bob.id },
        ],
      },
      token: alice.token,
    });
    expect(data!._entities.map((user) => user.email)).toEqual([alice.email, null]);
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
