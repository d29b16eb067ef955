import type { UsersDb } from '../db/client';
import { normalizeEmail } from './users';

/** The original KeyLab made its default-models owner the one administrator. */
export const ORIGINAL_ADMIN_ID = 'dced1acd-b907-47e0-9659-77cb2c95e0aa';

/** A row of the original's users table (users/users.csv). */
export interface LegacyUserRow {
  id: string;
  email: string;
  salt: string;
  password: string;
  nickname: string;
  registration_date: string;
}

export interface ImportReport {
  created: number;
  /** Already imported (same id): left as it is, so an upgraded hash is never put back. */
  unchanged: number;
  /** The address belongs to another account here. */
  conflicts: string[];
}

/** Imports accounts with their legacy salted SHA-512 hashes; they are upgraded at their first sign-in. */
export async function importLegacyUsers(db: UsersDb, rows: LegacyUserRow[]): Promise<ImportReport> {
  const report: ImportReport = { created: 0, unchanged: 0, conflicts: [] };
  for (const row of rows) {
    const email = normalizeEmail(row.email);
    if (await db.user.findUnique({ where: { id: row.id }, select: { id: true } })) {
      report.unchanged += 1;
      continue;
    }
    if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
      report.conflicts.push(email);
      continue;
    }
    const roles = row.id === ORIGINAL_ADMIN_ID ? ['user', 'admin'] : ['user'];
    await db.user.create({
      data: {
        id: row.id,
        email,
        nickname: row.nickname,
        legacySalt: row.salt,
        legacyHash: row.password.toLowerCase(),
        locale: 'ru',
        createdAt: new Date(Number(row.registration_date) * 1000),
        roles: { create: roles.map((roleName) => ({ roleName })) },
      },
    });
    report.created += 1;
  }
  return report;
}
