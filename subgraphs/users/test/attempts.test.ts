import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FIELDS, startStack, type AuthResult, type GraphQLResponse, type Stack } from '@keylab/test-support';
import { hashPassword } from '@keylab/users-subgraph';

/**
 * Guesses at a password or a code take their try from the limits before anything is checked, so
 * concurrent guesses cannot get past them, and a guess never pays for an Argon2 hash.
 */

let stack: Stack;
const made: string[] = [];

beforeAll(async () => {
  stack = await startStack({ email: true });
});

afterAll(async () => {
  await stack.users.db.verificationCode.deleteMany({ where: { email: { in: made } } });
  await stack.users.db.user.deleteMany({ where: { email: { in: made } } });
  await stack?.close();
});

const freshEmail = () => {
  const email = `attempts-${crypto.randomUUID()}@example.test`;
  made.push(email);
  return email;
};
const octet = () => Math.floor(Math.random() * 250);
/** Each test counts under an address of its own. */
const fromIp = () => ({ 'x-forwarded-for': `10.9.${octet()}.${octet()}` });
const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

async function member(password: string) {
  const user = await stack.createUser(['user'], { password });
  made.push(user.email);
  return user;
}

const signIn = (email: string, password: string, headers: Record<string, string>) =>
  stack.graphql<{ signIn: AuthResult }>(`mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`, {
    variables: { input: { email, password } },
    headers,
  });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The CPU time this process spent on `work`: the whole stack runs here, and Argon2 runs on its thread
 * pool, so a hash shows whatever else the machine is busy with.
 */
async function cpuMs<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.cpuUsage();
  const result = await work();
  const { user, system } = process.cpuUsage(started);
  return [result, (user + system) / 1000];
}

describe('sign-in limits', () => {
  it('let 25 concurrent wrong sign-ins for one account check the password 10 times only, then refuse the right one too', async () => {
    const { email } = await member('the right password');
    const ip = fromIp();
    const answers = await Promise.all(Array.from({ length: 25 }, () => signIn(email, 'a wrong password', ip)));
    const wrong = answers.filter((a) => a.errors?.[0]?.message === 'The email or the password is wrong.');
    const limited = answers.filter((a) => codeOf(a) === 'RATE_LIMITED');
    expect([wrong.length, limited.length]).toEqual([10, 15]);
    expect(wrong.every((a) => codeOf(a) === 'UNAUTHENTICATED')).toBe(true);

    const blocked = await signIn(email, 'the right password', fromIp());
    expect(codeOf(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.errors?.[0]?.extensions?.retryAfterSeconds).toBeLessThanOrEqual(900);

    // Once the account's window has passed, the right password works again.
    await stack.users.redis.pexpire(`${stack.users.rateLimitPrefix}:rl:signin-account:${email}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await signIn(email, 'the right password', fromIp())).errors).toBeUndefined();
  });

  it('do not count a successful sign-in as a failure', async () => {
    const { email } = await member('the right password');
    const ip = fromIp();
    for (let i = 0; i < 9; i += 1) expect(codeOf(await signIn(email, 'a wrong password', ip))).toBe('UNAUTHENTICATED');
    // Each success gives its try back (while in flight, it holds one: these go one after another).
    for (let i = 0; i < 5; i += 1) expect((await signIn(email, 'the right password', ip)).errors).toBeUndefined();
    // The tenth failure is still checked; only the eleventh attempt is refused.
    expect(codeOf(await signIn(email, 'a wrong password', ip))).toBe('UNAUTHENTICATED');
    expect(codeOf(await signIn(email, 'the right password', ip))).toBe('RATE_LIMITED');
  });

  it('count concurrent wrong current passwords of changePassword the same way', async () => {
    const { email, token } = await member('the right password');
    const change = () =>
      stack.graphql('mutation ($i: ChangePasswordInput!) { changePassword(input: $i) { user { id } } }', {
        variables: { i: { currentPassword: 'a wrong password', newPassword: 'a new password' } },
        token,
        headers: fromIp(),
      });
    const answers = await Promise.all(Array.from({ length: 15 }, change));
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.field === 'currentPassword')).toHaveLength(10);
    expect(answers.filter((a) => codeOf(a) === 'RATE_LIMITED')).toHaveLength(5);
    expect(codeOf(await signIn(email, 'the right password', fromIp()))).toBe('RATE_LIMITED');
  });
});

describe('code attempts', () => {
  const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;
  const batch = (operations: { query: string; variables: Record<string, unknown> }[], headers: Record<string, string>) =>
    fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(operations),
    }).then((response) => response.json() as Promise<GraphQLResponse[]>);

  it('run no Argon2 hash for a batch of 10 sign-ups with a wrong code', async () => {
    const signUps = (email: string) =>
      Array.from({ length: 10 }, (_, i) => ({
        query: SIGN_UP,
        variables: { input: { email, code: '000000', password: `password number ${i}`, nickname: `guesser${i}` } },
      }));
    // Warm up the gateway's plan for this operation.
    await batch(signUps(freshEmail()).slice(0, 1), fromIp());

    const references: number[] = [];
    const batches: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      references.push((await cpuMs(() => Promise.all(Array.from({ length: 10 }, (_, i) => hashPassword(`reference ${i}`)))))[1]);
      const email = freshEmail();
      const [answers, ms] = await cpuMs(() => batch(signUps(email), fromIp()));
      batches.push(ms);
      expect(answers).toHaveLength(10);
      for (const answer of answers) expect(['BAD_USER_INPUT', 'RATE_LIMITED']).toContain(codeOf(answer));
      expect(await stack.users.db.user.count({ where: { email } })).toBe(0);
    }
    // Ten hashes are the work the batch did before; now it costs a fraction of that.
    console.info(
      `CPU of 10 hashes: ${references.map(Math.round).join(', ')} ms; of the batch: ${batches.map(Math.round).join(', ')} ms`,
    );
    expect(median(batches)).toBeLessThan(0.6 * median(references));
  });

  it('are limited per address: 15 concurrent password resets with wrong codes get 10 checks', async () => {
    const { email } = await member('the right password');
    const reset = (i: number) =>
      stack.graphql('mutation ($i: ResetPasswordInput!) { resetPassword(input: $i) { accessToken } }', {
        variables: { i: { email, code: String(100000 + i), newPassword: 'a new password' } },
        headers: fromIp(),
      });
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => reset(i)));
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.field === 'code')).toHaveLength(10);
    const limited = answers.filter((a) => codeOf(a) === 'RATE_LIMITED');
    expect(limited).toHaveLength(5);
    expect(limited[0]!.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('are limited per IP address: 31 sign-ups with wrong codes for as many addresses get 30 checks', async () => {
    const ip = fromIp();
    const answers = await Promise.all(
      Array.from({ length: 31 }, (_, i) =>
        stack.graphql(SIGN_UP, {
          variables: { input: { email: freshEmail(), code: '000000', password: 'a fine password', nickname: `sprayer${i}` } },
          headers: ip,
        }),
      ),
    );
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.field === 'code')).toHaveLength(30);
    expect(answers.filter((a) => codeOf(a) === 'RATE_LIMITED')).toHaveLength(1);
  });
});
