import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASES } from '@keylab/test-support';
import { createUsersDb, seedUsers } from '@keylab/users-subgraph/seed';
import { checkPassword } from '../src/domain/passwords';

const db = createUsersDb(TEST_DATABASES.users);
const email = `seeded-admin-${crypto.randomUUID()}@example.test`;

afterAll(async () => {
  await db.user.deleteMany({ where: { email } });
  await db.$disconnect();
});

describe('seeding the first administrator', () => {
  it('creates it from ADMIN_EMAIL and ADMIN_PASSWORD with an Argon2id hash, and never changes it on a second run', async () => {
    await seedUsers(db, { admin: { email: ` ${email.toUpperCase()} `, password: 'from the environment' } });
    await seedUsers(db, { admin: { email, password: 'another password' } });
    const admin = await db.user.findUniqueOrThrow({ where: { email }, include: { roles: true } });
    expect(admin.roles.map((r) => r.roleName).sort()).toEqual(['admin', 'user']);
    expect(await checkPassword(admin, 'from the environment')).toBe('ok');
  });

  it('generates none when an administrator exists', async () => {
    const dir = mkdtempSync(`${tmpdir()}/keylab-seed-`);
    try {
      expect(await seedUsers(db, { generatedAdminDir: dir })).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a generated administrator', () => {
  it('is written once to an owner-only file', async () => {
    const fresh = createUsersDb(TEST_DATABASES.users);
    const dir = mkdtempSync(`${tmpdir()}/keylab-seed-`);
    // A transaction that is rolled back keeps the shared test database as it was.
    const rollback = new Error('rollback');
    try {
      await fresh.$transaction(async (tx) => {
        await tx.userRole.deleteMany({ where: { roleName: 'admin' } });
        const result = await seedUsers(tx as unknown as typeof db, { generatedAdminDir: dir });
        expect(result.generatedAdmin?.email).toBe('admin@keylab.local');
        const file = result.generatedAdmin!.file;
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(readFileSync(file, 'utf8')).toContain(result.generatedAdmin!.password);
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fresh.$disconnect();
    }
  });
});
