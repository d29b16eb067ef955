import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsersDb } from './db/client';
import { hashPassword } from './domain/passwords';
import { normalizeEmail } from './domain/users';

export const ROLES = ['user', 'admin'] as const;

export interface SeedOptions {
  /** ADMIN_EMAIL and ADMIN_PASSWORD: the first administrator. */
  admin?: { email: string; password: string };
  /** Without ADMIN_*: create an administrator with a random password, kept in this folder. */
  generatedAdminDir?: string;
}

export interface SeedResult {
  /** Credentials made on this run (shown once; also written to admin-credentials.txt). */
  generatedAdmin?: { email: string; password: string; file: string };
}

/** Reference rows and the first administrator; safe to run again (an existing admin is never changed). */
export async function seedUsers(db: UsersDb, options: SeedOptions = {}): Promise<SeedResult> {
  await db.role.createMany({ data: ROLES.map((name) => ({ name })), skipDuplicates: true });
  if (options.admin) {
    const email = normalizeEmail(options.admin.email);
    const existing = await db.user.findUnique({ where: { email } });
    if (existing) {
      await db.userRole.createMany({ data: [{ userId: existing.id, roleName: 'admin' }], skipDuplicates: true });
    } else {
      await createAdmin(db, email, options.admin.password);
    }
    return {};
  }
  if (!options.generatedAdminDir || (await db.userRole.count({ where: { roleName: 'admin' } })) > 0) return {};
  const email = 'admin@keylab.local';
  const password = randomBytes(12).toString('base64url');
  await createAdmin(db, email, password);
  await mkdir(options.generatedAdminDir, { recursive: true });
  const file = join(options.generatedAdminDir, 'admin-credentials.txt');
  await writeFile(file, `email: ${email}\npassword: ${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { generatedAdmin: { email, password, file } };
}

async function createAdmin(db: UsersDb, email: string, password: string): Promise<void> {
  await db.user.create({
    data: {
      email,
      nickname: 'admin',
      passwordHash: await hashPassword(password),
      roles: { create: [{ roleName: 'user' }, { roleName: 'admin' }] },
    },
  });
}
