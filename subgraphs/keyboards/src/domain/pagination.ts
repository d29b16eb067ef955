import { errors } from '@keylab/errors';
import { isUuid } from './ids';

export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/**
 * Keyset pagination over a unique, stable sort (for example title then id): a cursor holds the sort
 * values of the last row seen, so inserts and deletes never shift or repeat a page.
 */
export interface Keyset<T> {
  /** The sort values of a row, in sort order; the last one must be unique. */
  key(row: T): (string | number)[];
}

export function pageSize(args: PageArgs): number {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw errors.badInput('first', 'input.pageSize', { max: MAX_PAGE_SIZE });
  }
  return first;
}

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const storableText = (value: string) => value.length <= 256 && !/[\p{Cc}\p{Cs}]/u.test(value);

/** The sort values in a cursor, or BAD_USER_INPUT when it is not one this list gave out. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Every keyset ends with the row's UUID; text values must be text PostgreSQL can compare.
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => (typeof v === 'string' && storableText(v)) || (typeof v === 'number' && Number.isFinite(v))) &&
      isUuid(String(values.at(-1)))
    ) {
      return values as (string | number)[];
    }
  } catch {
    // falls through to the error below
  }
  throw errors.badInput('after', 'input.cursor');
}

/** Builds a connection from `size + 1` fetched rows (the extra row only tells that there is a next page). */
export function toConnection<T>(rows: T[], size: number, totalCount: number, keyset: Keyset<NoInfer<T>>): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyset.key(node)), node }));
  return {
    edges,
    nodes: page,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
