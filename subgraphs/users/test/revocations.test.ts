import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '@keylab/server';
import { captureLogs, startTcpProxy, waitFor, type TcpProxy } from '@keylab/testing';
import { AUTH_FIELDS, startStack, type AuthResult, type Stack, type TestUser } from '@keylab/test-support';

/**
 * Every way a session ends puts its id on the revocation list in Redis (which every process's token
 * verifier reads), after the database change, and only the sessions that ended.
 */

let stack: Stack;
let redis: TcpProxy;
const logs = captureLogs();

beforeAll(async () => {
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redis = await startTcpProxy(Number(redisUrl.port || 6379));
  redisUrl.hostname = '127.0.0.1';
  redisUrl.port = String(redis.port);
  stack = await startStack({
    email: true,
    logger: logs.logger,
    usersEnv: { REDIS_URL: redisUrl.toString(), REFRESH_GRACE_SECONDS: '0' },
  });
});

afterAll(async () => {
  await stack?.close();
  await redis?.close();
});

const PASSWORD = 'the account password';
const octet = () => Math.floor(Math.random() * 250);
const fromIp = () => ({ 'x-forwarded-for': `10.11.${octet()}.${octet()}` });

const member = () => stack.createUser(['user'], { password: PASSWORD });

/** A new session of the account (a device signing in): its id (global, as the API gives it out) and its tokens. */
async function signIn(user: TestUser, password = PASSWORD) {
  const response = await stack.graphql<{ signIn: AuthResult }>(
    `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
    { variables: { input: { email: user.email, password, returnRefreshToken: true } }, headers: fromIp() },
  );
  expect(response.errors).toBeUndefined();
  const { session, accessToken, refreshToken } = response.data!.signIn;
  return { id: session.id, accessToken, refreshToken: refreshToken! };
}

/** Whether each session (by its API id) is on the revocation list, which holds database ids. */
const revoked = (ids: string[]) => Promise.all(ids.map((id) => stack.users.revocations.isRevoked(uuidOf('Session', id)!)));

async function ended(operation: string, token: string, variables?: Record<string, unknown>) {
  const response = await stack.graphql<Record<string, { endedSessions: number }>>(operation, { token, variables });
  expect(response.errors).toBeUndefined();
  return Object.values(response.data!)[0]!.endedSessions;
}

describe('sessions that end are revoked for every process', () => {
  it('signOut revokes the caller’s session only', async () => {
    const user = await member();
    const [laptop, phone] = [await signIn(user), await signIn(user)];
    expect(await revoked([laptop.id, phone.id])).toEqual([false, false]);
    expect(await ended('mutation { signOut { endedSessions } }', laptop.accessToken)).toBe(1);
    expect(await revoked([laptop.id, phone.id])).toEqual([true, false]);
  });

  it('signOutEverywhere revokes every session of the account and no one else’s', async () => {
    const [user, other] = [await member(), await member()];
    const mine = [await signIn(user), await signIn(user), await signIn(user)];
    const theirs = await signIn(other);
    expect(await ended('mutation { signOutEverywhere { endedSessions } }', mine[0]!.accessToken)).toBe(4);
    expect(await revoked(mine.map((s) => s.id))).toEqual([true, true, true]);
    expect(await revoked([theirs.id])).toEqual([false]);
  });

  it('revokeSession revokes that session, not the caller’s', async () => {
    const user = await member();
    const [laptop, phone] = [await signIn(user), await signIn(user)];
    const revoke = 'mutation ($id: ID!) { revokeSession(input: { sessionId: $id }) { endedSessions } }';
    expect(await ended(revoke, laptop.accessToken, { id: phone.id })).toBe(1);
    expect(await revoked([laptop.id, phone.id])).toEqual([false, true]);
  });

  it('changePassword revokes the other sessions and keeps this one', async () => {
    const user = await member();
    const [laptop, phone, tablet] = [await signIn(user), await signIn(user), await signIn(user)];
    const response = await stack.graphql('mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { user { id } } }', {
      variables: { i: { currentPassword: PASSWORD, newPassword: 'a new password' } },
      token: laptop.accessToken,
      headers: fromIp(),
    });
    expect(response.errors).toBeUndefined();
    expect(await revoked([laptop.id, phone.id, tablet.id])).toEqual([false, true, true]);
  });

  it('resetPassword revokes every earlier session, not the one it opens', async () => {
    const user = await member();
    const [laptop, phone] = [await signIn(user), await signIn(user)];
    await stack.graphql('mutation ($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }', {
      variables: { e: user.email },
      headers: fromIp(),
    });
    const { code } = await stack.mailbox.next(user.email);
    const reset = await stack.graphql<{ resetPassword: AuthResult }>(
      `mutation ($i: ResetPasswordInput!) { resetPassword(input: $i) { ${AUTH_FIELDS} } }`,
      { variables: { i: { email: user.email, code, newPassword: 'after the reset' } }, headers: fromIp() },
    );
    expect(reset.errors).toBeUndefined();
    expect(await revoked([laptop.id, phone.id, reset.data!.resetPassword.session.id])).toEqual([true, true, false]);
  });

  it('a reused refresh token revokes its whole session, not the account’s others', async () => {
    const user = await member();
    const [stolen, other] = [await signIn(user), await signIn(user)];
    const refresh = (refreshToken: string) =>
      stack.graphql<{ refreshSession: AuthResult }>(
        'mutation ($t: String!) { refreshSession(input: { refreshToken: $t, returnRefreshToken: true }) { accessToken } }',
        { variables: { t: refreshToken } },
      );
    expect((await refresh(stolen.refreshToken)).errors).toBeUndefined();
    expect(await revoked([stolen.id])).toEqual([false]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await refresh(stolen.refreshToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await revoked([stolen.id, other.id])).toEqual([true, false]);
  });

  it('still signs out while Redis is away, and logs that the revocation was not written', async () => {
    const user = await member();
    const session = await signIn(user);
    redis.cut();
    try {
      // By the refresh cookie: no access token to verify while Redis is away.
      const response = await stack.graphql<{ signOut: { endedSessions: number } }>('mutation { signOut { endedSessions } }', {
        headers: { cookie: `kl_refresh=${session.refreshToken}` },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data?.signOut.endedSessions).toBe(1);
      const logged = logs.lines.find(
        (line) => line.level === 50 && (line.sessionIds as string[] | undefined)?.includes(uuidOf('Session', session.id)!),
      );
      expect(logged?.msg).toMatch(/revocation/);
    } finally {
      redis.restore();
    }
    const row = await stack.users.db.session.findUniqueOrThrow({ where: { id: uuidOf('Session', session.id)! } });
    expect(row.revokedWhy).toBe('sign_out');
    await waitFor(() => stack.users.redis.status === 'ready', 20_000);
  });
});
