import type { UsersDb } from '../db/client';

export interface UserRecord {
  id: string;
  email: string;
  nickname: string;
  createdAt: Date;
  roles: string[];
}

const withRoles = { roles: { select: { roleName: true }, orderBy: { roleName: 'asc' as const } } };

function toRecord(row: {
  id: string;
  email: string;
  nickname: string;
  createdAt: Date;
  roles: { roleName: string }[];
}): UserRecord {
  return {
    id: row.id,
    email: row.email,
    nickname: row.nickname,
    createdAt: row.createdAt,
    roles: row.roles.map((r) => r.roleName),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users by id in the order asked, null where none exists; one query for the whole batch. */
export async function findUsersByIds(db: UsersDb, ids: readonly string[]): Promise<(UserRecord | null)[]> {
  const valid = [...new Set(ids.filter((id) => UUID.test(id)))];
  const rows = valid.length ? await db.user.findMany({ where: { id: { in: valid } }, include: withRoles }) : [];
  const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Emails are compared trimmed, NFC-normalized and without case. */
export const normalizeEmail = (email: string) => email.trim().normalize('NFC').toLowerCase();
