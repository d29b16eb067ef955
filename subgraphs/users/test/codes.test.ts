import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FIELDS, startStack, type AuthResult, type Stack } from '@keylab/test-support';

let stack: Stack;
const made: string[] = [];

beforeAll(async () => {
  stack = await startStack({ email: true, env: { CODE_REQUEST_FLOOR_MS: '300' } });
});

afterAll(async () => {
  await stack.users.db.verificationCode.deleteMany({ where: { email: { in: made } } });
  await stack.users.db.user.deleteMany({ where: { email: { in: made } } });
  await stack?.close();
});

const freshEmail = () => {
  const email = `codes-${crypto.randomUUID()}@example.test`;
  made.push(email);
  return email;
};
/** Each test counts under an address of its own, so the per-IP caps of one never reach another. */
const fromIp = () => ({
  'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
});

const requestCode = (email: string, headers: Record<string, string> = fromIp()) =>
  stack.graphql<{ requestSignUpCode: { accepted: boolean; retryAfterSeconds: number } }>(
    'mutation ($email: String!) { requestSignUpCode(input: { email: $email }) { accepted retryAfterSeconds } }',
    { variables: { email }, headers },
  );

const signUp = (input: Record<string, unknown>, headers: Record<string, string> = {}) =>
  stack.graphql<{ signUp: AuthResult }>(`mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`, {
    variables: { input: { password: 'a fine password', nickname: 'coder', ...input } },
    headers,
  });

async function codeFor(email: string, nth = 1) {
  await requestCode(email);
  return (await stack.mailbox.next(email, nth)).code!;
}

const accountCount = (email: string) => stack.users.db.user.count({ where: { email } });

describe('sign-up codes', () => {
  it('are 6 digits, stored only as an HMAC, and expire after 10 minutes', async () => {
    const email = freshEmail();
    const code = await codeFor(email);
    const row = await stack.users.db.verificationCode.findFirstOrThrow({ where: { email } });
    expect(row.codeHash).not.toContain(code);
    expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(10 * 60_000);
  });

  it('refuse an expired code and create nothing', async () => {
    const email = freshEmail();
    const code = await codeFor(email);
    await stack.users.db.verificationCode.updateMany({ where: { email }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const response = await signUp({ email, code });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(await accountCount(email)).toBe(0);
  });

  it('refuse a wrong code, a code sent to another address, and a code used once already', async () => {
    const email = freshEmail();
    const other = freshEmail();
    const code = await codeFor(email);
    const otherCode = await codeFor(other);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await signUp({ email, code: wrong })).errors?.[0]?.extensions?.field).toBe('code');
    expect((await signUp({ email, code: otherCode })).errors?.[0]?.extensions?.field).toBe('code');
    expect((await signUp({ email, code })).errors).toBeUndefined();
    const again = await signUp({ email, code, nickname: 'second' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(await accountCount(email)).toBe(1);
  });

  it('stop working after the fifth wrong try, even for the right code on the sixth', async () => {
    const email = freshEmail();
    const code = await codeFor(email);
    const wrong = code === '111111' ? '222222' : '111111';
    const messages: string[] = [];
    for (let i = 0; i < 5; i += 1) messages.push((await signUp({ email, code: wrong })).errors![0]!.message);
    expect(messages.slice(0, 4)).toEqual(Array(4).fill(messages[0]));
    expect(messages[0]).toBe('The code is wrong or has expired. Check the latest email or request a new code.');
    expect(messages[4]).toMatch(/^Too many wrong tries/);
    const sixth = await signUp({ email, code }, { 'accept-language': 'ru' });
    expect(sixth.errors?.[0]?.extensions?.field).toBe('code');
    expect(sixth.errors?.[0]?.message).toMatch(/^Код неверный или истёк/);
    expect(await accountCount(email)).toBe(0);
  });

  it('are replaced by a new request: the previous code stops working', async () => {
    const email = freshEmail();
    const first = await codeFor(email);
    await stack.users.redis.del(`${stack.users.rateLimitPrefix}:rl:code-cooldown:sign_up:${email}`);
    const second = await codeFor(email, 2);
    if (first !== second) expect((await signUp({ email, code: first })).errors?.[0]?.extensions?.field).toBe('code');
    expect((await signUp({ email, code: second })).errors).toBeUndefined();
  });

  it('have a 60 s cooldown per address that says when to retry', async () => {
    const email = freshEmail();
    await requestCode(email);
    const again = await requestCode(email);
    expect(again.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(again.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(50);
    expect(again.errors?.[0]?.message).toMatch(/ask for another in \d+ s/);
  });

  it('have an hourly cap of 5 per address, past the cooldown', async () => {
    const email = freshEmail();
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      await stack.users.redis.del(`${stack.users.rateLimitPrefix}:rl:code-cooldown:sign_up:${email}`);
      answers.push(await requestCode(email));
    }
    expect(answers.slice(0, 5).every((a) => a.data?.requestSignUpCode.accepted)).toBe(true);
    expect(answers[5]!.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('have an hourly cap per IP address', async () => {
    const ip = fromIp();
    const answers = [];
    for (let i = 0; i < 21; i += 1) answers.push(await requestCode(freshEmail(), ip));
    expect(answers.slice(0, 20).every((a) => a.data?.requestSignUpCode.accepted)).toBe(true);
    expect(answers[20]!.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('no account enumeration', () => {
  it('gives a registered address the same answer, and a reminder email without a code', async () => {
    const registered = await stack.createUser();
    made.push(registered.email);
    const unregistered = freshEmail();
    const started = Date.now();
    const forRegistered = await requestCode(registered.email);
    const registeredMs = Date.now() - started;
    const startedOther = Date.now();
    const forUnregistered = await requestCode(unregistered);
    const unregisteredMs = Date.now() - startedOther;

    expect(forRegistered.data).toEqual(forUnregistered.data);
    expect(forRegistered.errors).toBeUndefined();
    // Both answers wait for the same floor (300 ms here), so their timing class is the same.
    expect(Math.min(registeredMs, unregisteredMs)).toBeGreaterThanOrEqual(300);

    const reminder = await stack.mailbox.next(registered.email);
    expect(reminder.code).toBeUndefined();
    expect(reminder.text).toMatch(/already/i);
    expect((await stack.mailbox.next(unregistered)).code).toMatch(/^\d{6}$/);
  });

  it('never says that an address is taken when signing up with a wrong code', async () => {
    const registered = await stack.createUser();
    const response = await signUp({ email: registered.email, code: '123456' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });
});

describe('the original KeyLab’s own sign-up and sign-in tests, re-done', () => {
  it('refuse sign-up input field by field, in English and Russian, and create nothing', async () => {
    const email = freshEmail();
    const cases: [Record<string, unknown>, string][] = [
      [{ email, code: '123456', password: '111' }, 'password'],
      [{ email, code: 'e' }, 'code'],
      [{ email, code: '1' }, 'code'],
      [{ email: 'user@localhost', code: '123456' }, 'email'],
      [{ email, code: '123456', nickname: 'ab' }, 'nickname'],
      [{ email, code: '123456', nickname: 'john doe' }, 'nickname'],
      [{ email, code: '123456', password: 'x'.repeat(129) }, 'password'],
    ];
    // Russian messages name the field in Russian.
    const russian: Record<string, string> = { password: 'пароль', code: 'код', email: 'почта', nickname: 'никнейм' };
    for (const [input, field] of cases) {
      const en = await signUp(input);
      expect(en.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      const ru = await signUp(input, { 'accept-language': 'ru-RU' });
      expect(ru.errors?.[0]?.message).toMatch(new RegExp(`^Недопустимое значение поля «${russian[field]}»: `));
    }
    expect(await accountCount(email)).toBe(0);
  });

  it('accept any characters in a password, and a trimmed, case-folded email', async () => {
    const email = freshEmail();
    const code = await codeFor(email);
    const response = await signUp({
      email: `  ${email.toUpperCase()}  `,
      code,
      password: 'Passw0rd! with spaces',
      nickname: 'ник-1',
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.signUp.user).toMatchObject({ email, nickname: 'ник-1' });
  });

  it('refuse sign-in with an unknown email and with a wrong password alike', async () => {
    const user = await stack.createUser();
    const signIn = (email: string, password: string) =>
      stack.graphql(`mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }`, {
        variables: { input: { email, password } },
        headers: fromIp(),
      });
    const unknown = await signIn('admi1@keyboard.ru', '111111111');
    const wrong = await signIn(user.email, '111111112');
    for (const response of [unknown, wrong]) {
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.errors?.[0]?.message).toBe('The email or the password is wrong.');
    }
  });

  it('answer me with null without a token and for a token whose account is gone', async () => {
    expect((await stack.graphql('{ me { id } }')).data).toEqual({ me: null });
    const gone = await stack.createUser();
    await stack.users.db.user.delete({ where: { id: gone.id } });
    expect((await stack.graphql('{ me { id } }', { token: gone.token })).data).toEqual({ me: null });
  });
});

describe('sign-in throttling', () => {
  it('refuses an account after 10 failures with RATE_LIMITED and when to retry, even with the right password', async () => {
    const email = freshEmail();
    const code = await codeFor(email);
    await signUp({ email, code, password: 'the right one' });
    const signIn = (password: string) =>
      stack.graphql(`mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }`, {
        variables: { input: { email, password } },
        headers: fromIp(),
      });
    for (let i = 0; i < 10; i += 1)
      expect((await signIn('wrong password')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const blocked = await signIn('the right one');
    expect(blocked.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(blocked.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.errors?.[0]?.message).toMatch(/Try again in \d+ s/);
  });
});
