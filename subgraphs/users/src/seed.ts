import type { UsersDb } from './db/client';

export const ROLES = ['user', 'admin'] as const;

/** Reference rows every installation needs; safe to run again. */
export async function seedUsers(db: UsersDb): Promise<void> {
  await db.role.createMany({ data: ROLES.map((name) => ({ name })), skipDuplicates: true });
}
