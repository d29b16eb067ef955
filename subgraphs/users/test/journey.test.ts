import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId, uuidOf } from '@keylab/server';
import { AUTH_FIELDS, cookiesOf, cookieValue, startStack, type AuthResult, type Stack } from '@keylab/test-support';

let stack: Stack;
const made: string[] = [];

beforeAll(async () => {
  stack = await startStack({ email: true, env: { REFRESH_GRACE_SECONDS: '1' } });
});

afterAll(async () => {
  await stack.users.db.user.deleteMany({ where: { email: { in: made } } });
  await stack?.close();
});

const freshEmail = () => {
  const email = `journey-${crypto.randomUUID()}@example.test`;
  made.push(email);
  return email;
};

async function signUp(email: string, password = 'correct horse battery staple') {
  const requested = await stack.graphql<{ requestSignUpCode: { accepted: boolean } }>(
    'mutation ($email: String!) { requestSignUpCode(input: { email: $email }) { accepted retryAfterSeconds } }',
    { variables: { email } },
  );
  expect(requested.data?.requestSignUpCode.accepted).toBe(true);
  const mail = await stack.mailbox.next(email);
  const response = await stack.graphql<{ signUp: AuthResult }>(
    `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`,
    { variables: { input: { email, code: mail.code, password, nickname: 'new_member', deviceLabel: 'laptop' } } },
  );
  return { mail, response };
}

const refresh = (cookie: string) =>
  stack.graphql<{ refreshSession: AuthResult }>(`mutation { refreshSession { ${AUTH_FIELDS} } }`, {
    headers: { cookie: `kl_refresh=${cookie}` },
  });

describe('the sign-up journey through the gateway', () => {
  it('requests a code, reads the email, signs up, refreshes, uses me, signs out, and the old refresh token is refused', async () => {
    const email = freshEmail();
    const { mail, response } = await signUp(email);
    expect(mail.subject).toMatch(/KeyLab/);
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(response.errors).toBeUndefined();
    const signedUp = response.data!.signUp;
    expect(signedUp.user).toMatchObject({ email, nickname: 'new_member', roles: ['USER'] });
    expect(fromGlobalId(signedUp.user.id)?.type).toBe('User');
    expect(fromGlobalId(signedUp.session.id)?.type).toBe('Session');
    expect(signedUp.session).toMatchObject({ deviceLabel: 'laptop', current: true });
    expect(signedUp.refreshToken).toBeNull();

    const claims = decodeJwt(signedUp.accessToken);
    expect(claims).toMatchObject({
      sub: uuidOf('User', signedUp.user.id),
      roles: ['user'],
      sid: uuidOf('Session', signedUp.session.id),
      iss: 'keylab-users',
      aud: 'keylab',
    });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toBeTruthy();

    const cookie = cookiesOf(response).kl_refresh!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/graphql/);

    const signedIn = await stack.graphql<{ signIn: AuthResult }>(
      `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
      {
        variables: { input: { email: email.toUpperCase(), password: 'correct horse battery staple' } },
      },
    );
    expect(signedIn.data?.signIn.user.email).toBe(email);
    const firstRefresh = cookieValue(cookiesOf(signedIn).kl_refresh);

    const refreshed = await refresh(firstRefresh);
    expect(refreshed.errors).toBeUndefined();
    const secondRefresh = cookieValue(cookiesOf(refreshed).kl_refresh);
    expect(secondRefresh).not.toBe(firstRefresh);
    const accessToken = refreshed.data!.refreshSession.accessToken;

    const me = await stack.graphql<{ me: { email: string } }>('{ me { email nickname } }', { token: accessToken });
    expect(me.data?.me).toEqual({ email, nickname: 'new_member' });

    const signedOut = await stack.graphql<{ signOut: { endedSessions: number } }>('mutation { signOut { endedSessions } }', {
      token: accessToken,
    });
    expect(signedOut.data?.signOut.endedSessions).toBe(1);
    expect(cookiesOf(signedOut).kl_refresh).toMatch(/kl_refresh=;/);

    const afterSignOut = await refresh(secondRefresh);
    expect(afterSignOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const mutationWithOldToken = await stack.graphql(
      'mutation { changeNickname(input: { nickname: "late_one" }) { user { nickname } } }',
      {
        token: accessToken,
      },
    );
    expect(mutationWithOldToken.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('refresh tokens', () => {
  async function signedIn() {
    const email = freshEmail();
    const { response } = await signUp(email);
    return { email, first: cookieValue(cookiesOf(response).kl_refresh), auth: response.data!.signUp };
  }

  it('rotate on every use, and reuse of a rotated token after the grace window revokes the whole session', async () => {
    const { first } = await signedIn();
    const second = cookieValue(cookiesOf(await refresh(first)).kl_refresh);
    const third = cookieValue(cookiesOf(await refresh(second)).kl_refresh);
    expect(new Set([first, second, third]).size).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const reused = await refresh(first);
    expect(reused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The thief's replay also ended the legitimate holder's session.
    const legit = await refresh(third);
    expect(legit.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(legit.errors?.[0]?.message).toBe('This session has ended or expired: sign in again.');
  });

  it('let two tabs refresh with the same token at once (grace window): both get an access token', async () => {
    const { first } = await signedIn();
    const [a, b] = await Promise.all([refresh(first), refresh(first)]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    const newCookies = [cookiesOf(a).kl_refresh, cookiesOf(b).kl_refresh].filter(Boolean);
    expect(newCookies).toHaveLength(1);
    expect((await refresh(cookieValue(newCookies[0]))).errors).toBeUndefined();
  });

  it('come back in the payload only for clients that ask for it', async () => {
    const { first } = await signedIn();
    const response = await stack.graphql<{ refreshSession: AuthResult }>(
      `mutation ($token: String!) { refreshSession(input: { refreshToken: $token, returnRefreshToken: true }) { ${AUTH_FIELDS} } }`,
      { variables: { token: first } },
    );
    expect(response.data?.refreshSession.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are refused when missing or unknown, in the caller language', async () => {
    const missing = await stack.graphql('mutation { refreshSession { accessToken } }', { headers: { 'accept-language': 'ru' } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(missing.errors?.[0]?.message).toMatch(/^Нет токена обновления/);
    const unknown = await refresh('not-a-token-we-gave-out');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('are stored only as hashes', async () => {
    const { first } = await signedIn();
    const rows = await stack.users.db.$queryRaw<
      { n: bigint }[]
    >`SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = ${first}`;
    expect(Number(rows[0]!.n)).toBe(0);
  });
});

describe('sessions', () => {
  it('lists my sessions, ends one of them, refuses someone else’s, and signs out everywhere', async () => {
    const email = freshEmail();
    const { response } = await signUp(email, 'my own password');
    const laptop = response.data!.signUp;
    const phoneSignIn = await stack.graphql<{ signIn: AuthResult }>(
      `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
      {
        variables: { input: { email, password: 'my own password', deviceLabel: 'phone' } },
      },
    );
    const phone = phoneSignIn.data!.signIn;

    const listed = await stack.graphql<{ mySessions: { id: string; deviceLabel: string; current: boolean }[] }>(
      '{ mySessions { id deviceLabel current } }',
      { token: laptop.accessToken },
    );
    expect(listed.data?.mySessions.map((s) => [s.deviceLabel, s.current]).sort()).toEqual([
      ['laptop', true],
      ['phone', false],
    ]);

    const stranger = await stack.createUser();
    const foreign = await stack.graphql('mutation ($id: ID!) { revokeSession(input: { sessionId: $id }) { endedSessions } }', {
      token: stranger.token,
      variables: { id: phone.session.id },
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const anonymous = await stack.graphql('mutation { signOutEverywhere { endedSessions } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const revoked = await stack.graphql<{ revokeSession: { endedSessions: number } }>(
      'mutation ($id: ID!) { revokeSession(input: { sessionId: $id }) { endedSessions } }',
      { token: laptop.accessToken, variables: { id: phone.session.id } },
    );
    expect(revoked.data?.revokeSession.endedSessions).toBe(1);

    const third = await stack.graphql<{ signIn: AuthResult }>(
      `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
      {
        variables: { input: { email, password: 'my own password', deviceLabel: 'tablet' } },
      },
    );
    const everywhere = await stack.graphql<{ signOutEverywhere: { endedSessions: number } }>(
      'mutation { signOutEverywhere { endedSessions } }',
      {
        token: laptop.accessToken,
      },
    );
    expect(everywhere.data?.signOutEverywhere.endedSessions).toBe(2);
    expect((await refresh(cookieValue(cookiesOf(third).kl_refresh))).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('revokeSession', () => {
  const REVOKE = 'mutation ($id: ID!) { revokeSession(input: { sessionId: $id }) { endedSessions } }';

  it('takes the global id mySessions gives out, or a plain UUID, and refuses an id of another type', async () => {
    const password = 'my own password';
    const user = await stack.createUser(['user'], { password });
    const devices = [];
    for (const deviceLabel of ['laptop', 'phone', 'tablet']) {
      const signedIn = await stack.graphql<{ signIn: AuthResult }>(
        `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
        { variables: { input: { email: user.email, password, deviceLabel } } },
      );
      devices.push(signedIn.data!.signIn);
    }
    const [laptop, phone, tablet] = devices as [AuthResult, AuthResult, AuthResult];
    const listed = await stack.graphql<{ mySessions: { id: string; deviceLabel: string }[] }>(
      '{ mySessions { id deviceLabel } }',
      {
        token: laptop.accessToken,
      },
    );
    expect(listed.data?.mySessions.find((s) => s.deviceLabel === 'phone')?.id).toBe(phone.session.id);

    const byGlobalId = await stack.graphql(REVOKE, { token: laptop.accessToken, variables: { id: phone.session.id } });
    expect(byGlobalId.data).toEqual({ revokeSession: { endedSessions: 1 } });
    const plainId = uuidOf('Session', tablet.session.id)!;
    const byPlainId = await stack.graphql(REVOKE, { token: laptop.accessToken, variables: { id: plainId } });
    expect(byPlainId.data).toEqual({ revokeSession: { endedSessions: 1 } });
    const again = await stack.graphql(REVOKE, { token: laptop.accessToken, variables: { id: plainId } });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    for (const id of [toGlobalId('User', plainId), 'not-an-id']) {
      const refused = await stack.graphql<{ revokeSession: unknown }>(REVOKE, { token: laptop.accessToken, variables: { id } });
      expect(refused.errors?.[0]?.extensions, id).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sessionId' });
      expect(refused.data?.revokeSession ?? null).toBeNull();
    }
    const revoked = await stack.users.db.session.findMany({ where: { userId: user.id, revokedWhy: 'revoked' } });
    expect(revoked.map((session) => session.deviceLabel).sort()).toEqual(['phone', 'tablet']);
  });
});

describe('device labels', () => {
  it('refuse a NUL or a lone surrogate as BAD_USER_INPUT on deviceLabel, and open no session', async () => {
    const user = await stack.createUser(['user'], { password: 'my own password' });
    for (const deviceLabel of ['phone\u0000', 'tab\ud800let', '\udfff']) {
      const response = await stack.graphql(`mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }`, {
        variables: { input: { email: user.email, password: 'my own password', deviceLabel } },
      });
      expect(response.errors?.[0]?.extensions, JSON.stringify(deviceLabel)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'deviceLabel',
      });
      expect(response.errors?.[0]?.message).toBe('Invalid value of deviceLabel: must be plain text, without control characters.');
    }
    expect(await stack.users.db.session.count({ where: { userId: user.id } })).toBe(1);
    const fine = await stack.graphql<{ signIn: AuthResult }>(
      `mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`,
      { variables: { input: { email: user.email, password: 'my own password', deviceLabel: 'телефон 📱' } } },
    );
    expect(fine.data?.signIn.session.deviceLabel).toBe('телефон 📱');
  });
});
