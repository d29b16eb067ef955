import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keylab/test-support';
import { legacyHash } from '@keylab/users-subgraph';

/** A wrong password takes as long whether the address is unknown, an account's or a not yet upgraded import's. */

let stack: Stack;
const made: string[] = [];

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.users.db.user.deleteMany({ where: { id: { in: made } } });
  await stack?.close();
});

const octet = () => Math.floor(Math.random() * 250);
const fromIp = () => ({ 'x-forwarded-for': `10.12.${octet()}.${octet()}` });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** An account as the legacy import leaves it: salted SHA-512, no Argon2id hash yet. */
async function legacyAccount(password: string) {
  const id = crypto.randomUUID();
  const salt = crypto.randomUUID().slice(0, 8);
  await stack.users.db.user.create({
    data: {
      id,
      email: `legacy-${id}@example.test`,
      nickname: 'legacy',
      legacySalt: salt,
      legacyHash: legacyHash(salt, password),
      roles: { create: { roleName: 'user' } },
    },
  });
  made.push(id);
  return `legacy-${id}@example.test`;
}

/**
 * One wrong sign-in: its wall time, and the CPU time this process spent on it (the whole stack runs here,
 * Argon2 on its thread pool), which tells the work done apart from whatever else the machine is busy with.
 */
async function wrongSignIn(email: string) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const response = await stack.graphql('mutation ($i: SignInInput!) { signIn(input: $i) { accessToken } }', {
    variables: { i: { email, password: 'not the password' } },
    headers: fromIp(),
  });
  const { user, system } = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  expect(response.errors?.[0]?.message).toBe('The email or the password is wrong.');
  return { wallMs, cpuMs: (user + system) / 1000 };
}

describe('a wrong password', () => {
  it('takes the same time class for an unknown address, an Argon2id account and a legacy account', async () => {
    const classes = {
      unknown: `nobody-${crypto.randomUUID()}@example.test`,
      argon2: (await stack.createUser(['user'], { password: 'the password' })).email,
      legacy: await legacyAccount('the password'),
    };
    await wrongSignIn(`warm-up-${crypto.randomUUID()}@example.test`);
    const names = Object.keys(classes) as (keyof typeof classes)[];
    const tries = Object.fromEntries(names.map((name) => [name, [] as { wallMs: number; cpuMs: number }[]]));
    // Interleaved, so that a busy moment of the machine falls on every class alike.
    for (let round = 0; round < 7; round += 1) {
      for (const name of names) tries[name]!.push(await wrongSignIn(classes[name]));
    }
    const medians = (of: 'wallMs' | 'cpuMs') => names.map((name) => median(tries[name]!.map((t) => t[of])));
    console.info(
      `wrong sign-in medians (unknown, argon2, legacy): wall ${medians('wallMs').map(Math.round).join(', ')} ms, ` +
        `CPU ${medians('cpuMs').map(Math.round).join(', ')} ms`,
    );
    // Without the Argon2id check a legacy account cost a third of the others; equal within a factor of 2.
    const cpu = medians('cpuMs');
    expect(Math.max(...cpu) / Math.min(...cpu)).toBeLessThan(2);
  });
});
