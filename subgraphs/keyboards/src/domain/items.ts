import { isAdmin, type Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import { Prisma } from '../db/generated/client';
import { isUuid, validId } from './ids';

/** The fields every catalogue item (box, kit, keyboard) has. */
export interface ItemRow {
  id: string;
  ownerId: string | null;
  title: string;
  createdAt: Date;
}

/** The part of a Prisma model delegate the generic item operations use. */
export interface ItemDelegate<T extends ItemRow> {
  findMany(args: object): Promise<T[]>;
  count(args: object): Promise<number>;
  findUnique(args: object): Promise<T | null>;
  update(args: object): Promise<T>;
  delete(args: object): Promise<T>;
}

export type Owner = 'DEFAULT' | 'MINE';

export const TITLE_MIN = 3;
export const TITLE_MAX = 64;

/** Titles: trimmed, NFC, 3 to 64 characters of any kind (the seed's "Бокс 40%" included). */
export function validTitle(raw: string): string {
  const title = raw.trim().normalize('NFC');
  const length = [...title].length;
  // Control characters (NUL cannot even be stored) have no place in a title.
  if (/\p{Cc}/u.test(title)) throw errors.badInput('title', 'input.titleCharacters');
  if (length < TITLE_MIN || length > TITLE_MAX) throw errors.badInput('title', 'input.title', { min: TITLE_MIN, max: TITLE_MAX });
  return title;
}

export const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** The owner filter: default items, or the caller's own (signing in needed). */
export function ownerFilter(viewer: Viewer | null, owner: Owner | null | undefined): { ownerId: string | null } {
  if (owner === 'MINE') {
    if (!viewer) throw errors.unauthenticated();
    return { ownerId: viewer.userId };
  }
  return { ownerId: null };
}

/**
 * The item, if the viewer may change it: their own, or a default item for an administrator.
 * NOT_FOUND when there is none, FORBIDDEN when it is someone else's or a default one.
 */
export async function itemToChange<T extends ItemRow>(
  delegate: ItemDelegate<T>,
  viewer: Viewer | null,
  rawId: string,
): Promise<T> {
  if (!viewer) throw errors.unauthenticated();
  const id = validId('id', rawId);
  const item = await delegate.findUnique({ where: { id } });
  if (!item) throw errors.notFound();
  const allowed = item.ownerId === null ? isAdmin(viewer) : item.ownerId === viewer.userId;
  if (!allowed) throw errors.forbidden('catalogue.notYours');
  return item;
}

/** The owner a new item gets: the viewer, or nobody (a default item) when an administrator asks for it. */
export function newItemOwner(viewer: Viewer | null, asDefault: boolean | null | undefined): string | null {
  if (!viewer) throw errors.unauthenticated();
  if (asDefault) {
    if (!isAdmin(viewer)) throw errors.forbidden();
    return null;
  }
  return viewer.userId;
}

/** Runs a write whose unique (owner, title) may clash: CONFLICT on `title`. */
export async function withUniqueTitle<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict('catalogue.titleTaken', 'title');
    throw error;
  }
}

/** One item by id for anyone (user items are shareable by link); null when there is none. */
export async function itemById<T extends ItemRow>(delegate: ItemDelegate<T>, rawId: string): Promise<T | null> {
  return isUuid(rawId) ? delegate.findUnique({ where: { id: rawId.toLowerCase() } }) : null;
}
