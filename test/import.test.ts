import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '@keylab/server';
import { startStack, TEST_DATABASES, type AuthResult, type Stack } from '@keylab/test-support';
import { ORIGINAL_ADMIN_ID } from '@keylab/users-subgraph';
import { ROOT } from '../scripts/lib/services';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.users.db.user.deleteMany({ where: { id: ORIGINAL_ADMIN_ID } });
});

afterAll(async () => {
  await stack.users.db.user.deleteMany({ where: { id: ORIGINAL_ADMIN_ID } });
  await stack?.close();
});

function runImport() {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import-keylab.ts', 'data/keylab-original'], {
    cwd: ROOT,
    env: { ...process.env, USERS_DATABASE_URL: TEST_DATABASES.users, KEYBOARDS_DATABASE_URL: TEST_DATABASES.keyboards },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

const signIn = (password: string) =>
  stack.graphql<{ signIn: AuthResult }>(
    'mutation ($i: SignInInput!) { signIn(input: $i) { accessToken user { id nickname roles } } }',
    {
      variables: { i: { email: 'admin@keyboard.ru', password } },
    },
  );

/** The default catalogue (other test files create and delete their own items meanwhile). */
const defaults = { ownerId: null };

describe('importing an original KeyLab deployment', () => {
  it('imports its admin and catalogue; a second run changes nothing; the admin signs in with 11111111 and is upgraded', async () => {
    const catalogueBefore = await Promise.all([
      stack.keyboards.db.box.count({ where: defaults }),
      stack.keyboards.db.kit.count({ where: defaults }),
      stack.keyboards.db.keycap.count({ where: { kit: defaults } }),
    ]);
    expect(runImport()).toMatch(/^users: 1 imported, 0 already there, 0 address conflicts$/m);
    expect(runImport()).toMatch(/^users: 0 imported, 1 already there, 0 address conflicts$/m);
    const catalogueAfter = await Promise.all([
      stack.keyboards.db.box.count({ where: defaults }),
      stack.keyboards.db.kit.count({ where: defaults }),
      stack.keyboards.db.keycap.count({ where: { kit: defaults } }),
    ]);
    expect(catalogueAfter).toEqual(catalogueBefore);
    expect(await stack.keyboards.db.box.count({ where: { ownerId: null, title: 'Бокс 60%' } })).toBe(1);

    expect((await signIn('111111112')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const first = await signIn('11111111');
    expect(first.errors).toBeUndefined();
    expect(first.data?.signIn.user).toMatchObject({
      id: toGlobalId('User', ORIGINAL_ADMIN_ID),
      nickname: 'admin1',
      roles: ['ADMIN', 'USER'],
    });
    const stored = await stack.users.db.user.findUniqueOrThrow({ where: { id: ORIGINAL_ADMIN_ID } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored.legacyHash).toBeNull();
    expect((await signIn('11111111')).errors).toBeUndefined();

    // Its token works across the supergraph: keyboards (me.keyboards) and stats (administrators only).
    const crossing = await stack.graphql('{ me { nickname keyboards { totalCount } } activityKinds { tag } }', {
      token: first.data!.signIn.accessToken,
    });
    expect(crossing.errors).toBeUndefined();
  }, 90_000); // It runs the import CLI twice, each a process of its own.
});
