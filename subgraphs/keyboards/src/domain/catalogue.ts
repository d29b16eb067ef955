import type { Locale } from '@keylab/errors';
import type { KeyboardsDb } from '../db/client';
import { decodeCursor, pageSize, toConnection, type Keyset, type PageArgs } from './pagination';

const switchOrder: Keyset<{ title: string; id: string }> = { key: (row) => [row.title, row.id] };

export async function listSwitches(db: KeyboardsDb, args: PageArgs, locale: Locale) {
  const size = pageSize(args, locale);
  const after = args.after ? decodeCursor(args.after, 2, locale) : null;
  const where = after
    ? { OR: [{ title: { gt: String(after[0]) } }, { title: String(after[0]), id: { gt: String(after[1]) } }] }
    : {};
  const [rows, totalCount] = await Promise.all([
    db.switch.findMany({ where, orderBy: [{ title: 'asc' }, { id: 'asc' }], take: size + 1 }),
    db.switch.count(),
  ]);
  return toConnection(rows, size, totalCount, switchOrder);
}

export function listBoxTypes(db: KeyboardsDb) {
  return db.boxType.findMany({ orderBy: [{ keyCount: 'desc' }, { title: 'asc' }] });
}

const newestFirst: Keyset<{ createdAt: Date; id: string }> = { key: (row) => [row.createdAt.toISOString(), row.id] };

/** One owner's keyboards, newest first, with their box type and switch. */
export async function listKeyboardsOf(db: KeyboardsDb, ownerId: string, args: PageArgs, locale: Locale) {
  const size = pageSize(args, locale);
  const after = args.after ? decodeCursor(args.after, 2, locale) : null;
  const createdAt = after ? new Date(String(after[0])) : null;
  const cursorWhere =
    after && createdAt && !Number.isNaN(createdAt.getTime())
      ? { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: String(after[1]) } }] }
      : {};
  const [rows, totalCount] = await Promise.all([
    db.keyboard.findMany({
      where: { ownerId, ...cursorWhere },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: size + 1,
      include: { boxType: true, switch: true },
    }),
    db.keyboard.count({ where: { ownerId } }),
  ]);
  return toConnection(rows, size, totalCount, newestFirst);
}
