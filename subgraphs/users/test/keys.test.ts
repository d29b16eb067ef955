import { exportJWK, generateKeyPair, SignJWT, calculateJwkThumbprint, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keylab/test-support';

let stack: Stack;
let previousPrivate: CryptoKey;
let previousKid: string;

beforeAll(async () => {
  const previous = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  previousPrivate = previous.privateKey as CryptoKey;
  const publicJwk = await exportJWK(previous.publicKey);
  previousKid = await calculateJwkThumbprint(publicJwk);
  stack = await startStack({
    usersEnv: { JWT_PREVIOUS_PUBLIC_KEY: JSON.stringify({ ...publicJwk, kid: previousKid, alg: 'EdDSA' }) },
  });
});

afterAll(async () => {
  await stack?.close();
});

const tokenFrom = (key: CryptoKey, kid: string, claims: { sub: string; alg?: string; aud?: string; expiresIn?: string }) =>
  new SignJWT({ roles: ['user', 'admin'], sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setSubject(claims.sub)
    .setIssuer('keylab-users')
    .setAudience(claims.aud ?? 'keylab')
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(claims.expiresIn ?? '5m')
    .sign(key);

describe('signing key rotation', () => {
  it('publishes the current and the previous public key', async () => {
    const jwks = (await (await fetch(`${stack.users.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toContain(previousKid);
    expect(jwks.keys).toHaveLength(2);
  });

  it('still accepts a token of the previous key in every subgraph, and refuses expired, foreign-audience or unknown-key tokens', async () => {
    const user = await stack.createUser();
    const previous = await tokenFrom(previousPrivate, previousKid, { sub: user.id });
    const answer = await stack.graphql<{ me: { id: string }; activityKinds: unknown[] }>('{ me { id } activityKinds { tag } }', {
      token: previous,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.me.id).toBe(user.globalId);

    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const refused = [
      await tokenFrom(previousPrivate, previousKid, { sub: user.id, expiresIn: '-1m' }),
      await tokenFrom(previousPrivate, previousKid, { sub: user.id, aud: 'someone-else' }),
      await tokenFrom(stranger.privateKey as CryptoKey, previousKid, { sub: user.id }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: user.id, roles: ['admin'] })).toString('base64url')}.`,
    ];
    const reasons: string[] = [];
    for (const token of refused) {
      const response = await stack.graphql<{ me: unknown }>('{ me { id } mySessions { id } }', { token });
      expect(response.data?.me).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      reasons.push(String(response.errors?.[0]?.extensions?.reason));
    }
    expect(reasons).toEqual(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'TOKEN_INVALID', 'TOKEN_INVALID']);
  });
});

describe('an expired access token sent along', () => {
  it('leaves anonymous reads and refreshSession working, and tells account fields to refresh, in the caller’s language', async () => {
    const user = await stack.createUser(['user'], { password: 'a password of the keys test' });
    const signedIn = await stack.graphql<{ signIn: { refreshToken: string } }>(
      'mutation ($i: SignInInput!) { signIn(input: $i) { refreshToken } }',
      { variables: { i: { email: user.email, password: 'a password of the keys test', returnRefreshToken: true } } },
    );
    expect(signedIn.errors).toBeUndefined();
    const expired = await tokenFrom(previousPrivate, previousKid, { sub: user.id, expiresIn: '-1m' });

    const read = await stack.graphql<{ switches: { totalCount: number }; me: unknown }>('{ switches { totalCount } me { id } }', {
      token: expired,
    });
    expect(read.errors).toBeUndefined();
    expect(read.data?.switches.totalCount).toBeGreaterThan(0);
    expect(read.data?.me).toBeNull();

    const refreshed = await stack.graphql<{ refreshSession: { accessToken: string } }>(
      'mutation ($i: RefreshSessionInput) { refreshSession(input: $i) { accessToken } }',
      { token: expired, variables: { i: { refreshToken: signedIn.data!.signIn.refreshToken } } },
    );
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data?.refreshSession.accessToken).toBeTruthy();

    const mine = await stack.graphql('{ boxes(owner: MINE) { totalCount } }', {
      token: expired,
      headers: { 'accept-language': 'ru' },
    });
    expect(mine.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(mine.errors?.[0]?.message).toMatch(/refreshSession/);
    expect(mine.errors?.[0]?.message).toMatch(/[а-я]/);
  });
});
