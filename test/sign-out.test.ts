// Ending a session ends its access tokens at once, in the gateway and in every subgraph, uploads included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '@keylab/server';
import { AUTH_FIELDS, postGraphQL, startStack, type AuthResult, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
const PASSWORD = 'a password of the sign-out test';

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

async function signIn(user: TestUser, password = PASSWORD): Promise<AuthResult> {
  const answer = await stack.graphql<{ signIn: AuthResult }>(
    `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
    { variables: { input: { email: user.email, password, returnRefreshToken: true } } },
  );
  expect(answer.errors).toBeUndefined();
  return answer.data!.signIn;
}

/** What a GraphQL answer says: ok, or the first error's code and reason. */
const outcome = ({ errors }: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  errors ? `${errors[0]?.extensions?.code} ${errors[0]?.extensions?.reason}` : 'ok';

/**
 * What a token still opens, with a field that needs an account: the gateway, each subgraph called as the
 * gateway calls it, and uploads (a status: an upload is a plain HTTP route).
 */
async function access(token: string) {
  const origin = new URL(stack.gatewayUrl).origin;
  const direct = (url: string, query: string) =>
    postGraphQL(`${url}/graphql`, query, { token, headers: stack.gatewayProof() }).then(outcome);
  return {
    gateway: outcome(await stack.graphql('{ mySessions { current } }', { token })),
    users: await direct(stack.users.url, '{ mySessions { current } }'),
    keyboards: await direct(stack.keyboards.url, '{ boxes(owner: MINE, first: 1) { totalCount } }'),
    stats: await direct(stack.stats.url, '{ activityKinds { tag } }'),
    upload: (
      await fetch(`${origin}/uploads/model`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'model/gltf-binary' },
        body: new Uint8Array(16),
      })
    ).status,
  };
}

/**
 * Refused everywhere as a session that ended (an upload's empty body never gets looked at). The request
 * itself is not refused: anonymous fields still answer, as for a caller without a token.
 */
const REVOKED = 'UNAUTHENTICATED TOKEN_REVOKED';
const ENDED = { gateway: REVOKED, users: REVOKED, keyboards: REVOKED, stats: REVOKED, upload: 401 };

describe('an access token of a session that ended', () => {
  it('works until then in every process', async () => {
    const admin = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const { accessToken } = await signIn(admin);
    expect(await access(accessToken)).toEqual({ gateway: 'ok', users: 'ok', keyboards: 'ok', stats: 'ok', upload: 400 });
  });

  it('is refused everywhere right after signOut', async () => {
    const user = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const { accessToken } = await signIn(user);
    const out = await stack.graphql('mutation { signOut { endedSessions } }', { token: accessToken });
    expect(out.errors).toBeUndefined();
    expect(await access(accessToken)).toEqual(ENDED);
    // What anyone may read still answers, with the caller as no one.
    const anonymous = await stack.graphql<{ me: unknown; switches: { totalCount: number } }>(
      '{ me { id } switches(first: 1) { totalCount } }',
      { token: accessToken },
    );
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data?.me).toBeNull();
    expect(anonymous.data?.switches.totalCount).toBeGreaterThan(0);
  });

  it('is refused everywhere, on every device, right after signOutEverywhere', async () => {
    const user = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const [phone, laptop] = [await signIn(user), await signIn(user)];
    await stack.graphql('mutation { signOutEverywhere { endedSessions } }', { token: laptop.accessToken });
    expect(await access(phone.accessToken)).toEqual(ENDED);
    expect(await access(laptop.accessToken)).toEqual(ENDED);
  });

  it('is refused on the other devices right after a password change', async () => {
    const user = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const [phone, laptop] = [await signIn(user), await signIn(user)];
    const changed = await stack.graphql('mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { user { id } } }', {
      token: laptop.accessToken,
      variables: { i: { currentPassword: PASSWORD, newPassword: `${PASSWORD} renewed` } },
    });
    expect(changed.errors).toBeUndefined();
    expect(await access(phone.accessToken)).toEqual(ENDED);
    expect((await access(laptop.accessToken)).gateway).toBe('ok');
  });

  it('is refused everywhere once a rotated refresh token is used again (the session is revoked)', async () => {
    const user = await stack.createUser(['user', 'admin'], { password: PASSWORD });
    const first = await signIn(user);
    const refresh = (refreshToken: string) =>
      stack.graphql<{ refreshSession: AuthResult }>(
        `mutation ($input: RefreshSessionInput) { refreshSession(input: $input) { ${AUTH_FIELDS} } }`,
        { variables: { input: { refreshToken, returnRefreshToken: true } } },
      );
    const rotated = await refresh(first.refreshToken!);
    expect(rotated.errors).toBeUndefined();
    // The thief replays the old token after the grace window: the whole session ends.
    await stack.users.db.refreshToken.updateMany({
      where: { sessionId: uuidOf('Session', first.session.id)!, rotatedAt: { not: null } },
      data: { rotatedAt: new Date(0) },
    });
    const replay = await refresh(first.refreshToken!);
    expect(replay.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await access(rotated.data!.refreshSession.accessToken)).toEqual(ENDED);
  });
});
