import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidOf } from '@keylab/server';
import { AUTH_FIELDS, cookiesOf, cookieValue, startStack, type AuthResult, type Stack } from '@keylab/test-support';

let stack: Stack;
const made: string[] = [];

beforeAll(async () => {
  stack = await startStack({ email: true });
});

afterAll(async () => {
  await stack.users.db.user.deleteMany({ where: { email: { in: made } } });
  await stack?.close();
});

const ip = () => ({ 'x-forwarded-for': `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });

/** A real account made through the API: code by email, sign-up. */
async function member(password = 'first password') {
  const email = `profile-${crypto.randomUUID()}@example.test`;
  made.push(email);
  await stack.graphql('mutation ($email: String!) { requestSignUpCode(input: { email: $email }) { accepted } }', {
    variables: { email },
    headers: ip(),
  });
  const code = (await stack.mailbox.next(email)).code;
  const response = await stack.graphql<{ signUp: AuthResult }>(
    `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`,
    {
      variables: { input: { email, code, password, nickname: 'profiler' } },
    },
  );
  return { email, password, auth: response.data!.signUp, refresh: cookieValue(cookiesOf(response).kl_refresh) };
}

const signIn = (email: string, password: string) =>
  stack.graphql<{ signIn: AuthResult }>(`mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`, {
    variables: { input: { email, password } },
    headers: ip(),
  });

describe('changeNickname', () => {
  it('changes my nickname, refuses a bad one and an anonymous caller', async () => {
    const { auth } = await member();
    const change = (nickname: string, token?: string) =>
      stack.graphql<{ changeNickname: { user: { nickname: string } } }>(
        'mutation ($n: String!) { changeNickname(input: { nickname: $n }) { user { nickname } } }',
        { variables: { n: nickname }, token },
      );
    expect((await change('renamed_1', auth.accessToken)).data?.changeNickname.user.nickname).toBe('renamed_1');
    expect((await change('no spaces allowed', auth.accessToken)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'nickname',
    });
    expect((await change('anonymous')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const me = await stack.graphql<{ me: { nickname: string } }>('{ me { nickname } }', { token: auth.accessToken });
    expect(me.data?.me.nickname).toBe('renamed_1');
  });
});

describe('changePassword', () => {
  const change = (token: string | undefined, currentPassword: string, newPassword: string) =>
    stack.graphql('mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { user { id } } }', {
      variables: { i: { currentPassword, newPassword } },
      token,
    });

  it('needs the current password, ends the other sessions, keeps this one, and emails a notice', async () => {
    const { email, password, auth } = await member();
    const other = (await signIn(email, password)).data!.signIn;
    expect((await change(auth.accessToken, 'not my password', 'second password')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'currentPassword',
    });
    expect((await change(auth.accessToken, password, 'short')).errors?.[0]?.extensions?.field).toBe('newPassword');
    expect((await change(undefined, password, 'second password')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    expect((await change(auth.accessToken, password, 'second password')).errors).toBeUndefined();
    expect((await signIn(email, password)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await signIn(email, 'second password')).errors).toBeUndefined();
    const [mine, theirs] = [uuidOf('Session', auth.session.id)!, uuidOf('Session', other.session.id)!];
    const sessions = await stack.users.db.session.findMany({ where: { id: { in: [mine, theirs] } } });
    expect(sessions.find((s) => s.id === theirs)?.revokedWhy).toBe('password_changed');
    expect(sessions.find((s) => s.id === mine)?.revokedAt).toBeNull();
    const notice = await stack.mailbox.next(email, 2);
    expect(notice.code).toBeUndefined();
  });
});

describe('password reset', () => {
  const requestReset = (email: string) =>
    stack.graphql<{ requestPasswordReset: { accepted: boolean } }>(
      'mutation ($e: String!) { requestPasswordReset(input: { email: $e }) { accepted } }',
      {
        variables: { e: email },
        headers: ip(),
      },
    );

  it('emails a code to a registered address only, answers alike for any address, and resets with the code', async () => {
    const { email, refresh } = await member();
    const nobody = `nobody-${crypto.randomUUID()}@example.test`;
    expect((await requestReset(nobody)).data).toEqual((await requestReset(email)).data);
    const mail = await stack.mailbox.next(email, 2);
    expect(mail.code).toMatch(/^\d{6}$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.mailbox.to(nobody)).toHaveLength(0);

    const reset = (code: string, newPassword = 'after the reset') =>
      stack.graphql<{ resetPassword: AuthResult }>(
        `mutation ($i: ResetPasswordInput!) { resetPassword(input: $i) { ${AUTH_FIELDS} } }`,
        {
          variables: { i: { email, code, newPassword } },
        },
      );
    expect((await reset(mail.code!, 'tiny')).errors?.[0]?.extensions?.field).toBe('newPassword');
    expect((await reset(mail.code === '999999' ? '999998' : '999999')).errors?.[0]?.extensions?.field).toBe('code');
    const done = await reset(mail.code!);
    expect(done.errors).toBeUndefined();
    expect(done.data?.resetPassword.user.email).toBe(email);
    // Every earlier session ended; the new password works.
    const oldRefresh = await stack.graphql('mutation { refreshSession { accessToken } }', {
      headers: { cookie: `kl_refresh=${refresh}` },
    });
    expect(oldRefresh.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await signIn(email, 'after the reset')).errors).toBeUndefined();
    expect((await reset(mail.code!)).errors?.[0]?.extensions?.field).toBe('code');
  });
});

describe('email change', () => {
  it('sends a code to the new address, moves the account with it, and tells the old address', async () => {
    const { email, password, auth } = await member();
    const newEmail = `moved-${crypto.randomUUID()}@example.test`;
    made.push(newEmail);
    const request = (input: Record<string, string>, token = auth.accessToken) =>
      stack.graphql('mutation ($i: RequestEmailChangeInput!) { requestEmailChange(input: $i) { accepted } }', {
        variables: { i: input },
        token,
        headers: ip(),
      });
    expect((await request({ newEmail, currentPassword: 'wrong one' })).errors?.[0]?.extensions?.field).toBe('currentPassword');
    expect((await request({ newEmail: 'not-an-email', currentPassword: password })).errors?.[0]?.extensions?.field).toBe(
      'newEmail',
    );
    expect((await request({ newEmail, currentPassword: password }, '')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await request({ newEmail, currentPassword: password })).errors).toBeUndefined();
    const code = (await stack.mailbox.next(newEmail)).code!;

    const stranger = await stack.createUser();
    const confirm = (token: string, value: string) =>
      stack.graphql<{ confirmEmailChange: { user: { email: string } } }>(
        'mutation ($c: String!) { confirmEmailChange(input: { code: $c }) { user { email } } }',
        {
          variables: { c: value },
          token,
        },
      );
    // Someone else cannot use my code.
    expect((await confirm(stranger.token, code)).errors?.[0]?.extensions?.field).toBe('code');
    const moved = await confirm(auth.accessToken, code);
    expect(moved.data?.confirmEmailChange.user.email).toBe(newEmail);
    expect((await signIn(newEmail, password)).errors).toBeUndefined();
    const notice = await stack.mailbox.next(email, 2);
    expect(notice.text).toContain(newEmail);
  });

  it('gives an address that already has an account a notice instead of a code', async () => {
    const { password, auth } = await member();
    const taken = await stack.createUser();
    const response = await stack.graphql(
      'mutation ($i: RequestEmailChangeInput!) { requestEmailChange(input: $i) { accepted } }',
      {
        variables: { i: { newEmail: taken.email, currentPassword: password } },
        token: auth.accessToken,
        headers: ip(),
      },
    );
    expect(response.errors).toBeUndefined();
    expect((await stack.mailbox.next(taken.email)).code).toBeUndefined();
  });
});
