import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_FIELDS, startStack, type AuthResult, type Stack } from '@keylab/test-support';

/**
 * Argon2id keeps a core busy per verification: the users service runs PASSWORD_HASH_CONCURRENCY of them at once
 * and lines the other sign-ins up, so that a burst of sign-ins never takes every core from the event loops. At the
 * normal priority here, so that no hash moves to a second line however busy the machine is.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ usersEnv: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_PRIORITY: 'normal' } });
});

afterAll(async () => {
  await stack?.close();
});

const signIn = (email: string, address: string) =>
  stack.graphql<{ signIn: AuthResult }>(`mutation ($input: SignInInput!) { signIn(input: $input) { ${AUTH_FIELDS} } }`, {
    variables: { input: { email, password: 'the password' } },
    headers: { 'x-forwarded-for': address },
  });

describe('sign-ins at once', () => {
  it('verify one password at a time; the others wait in line and are signed in too', async () => {
    const accounts = await Promise.all(Array.from({ length: 8 }, () => stack.createUser(['user'], { password: 'the password' })));
    const seen = { running: 0, waiting: 0 };
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { running, waiting } = stack.users.passwords.stats;
        seen.running = Math.max(seen.running, running);
        seen.waiting = Math.max(seen.waiting, waiting);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const answers = await Promise.all(accounts.map((account, i) => signIn(account.email, `10.14.0.${i + 1}`)));
    watching = false;
    await watch;

    expect(answers.map((answer) => answer.errors)).toEqual(accounts.map(() => undefined));
    expect(answers.every((answer) => typeof answer.data?.signIn.accessToken === 'string')).toBe(true);
    expect(seen.running).toBe(1);
    expect(seen.waiting).toBeGreaterThan(0);
    expect(stack.users.passwords.stats).toEqual({ running: 0, waiting: 0, promoted: 0 });
  });
});
