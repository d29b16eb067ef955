import { errors } from '@keylab/errors';
import { isUuid } from './ids';
import { sortValueOf, type ListOrder, type SortableRow } from './list-order';

/** Where a row stands in a list's order: its sort value and, to break ties, its id. */
export interface CursorPosition {
  value: string | Date;
  id: string;
}

export type CursorArgument = 'after' | 'before';

// Longer than any cursor this service gives out (a 64-character title, an id, the list and the order).
const MAX_CURSOR_LENGTH = 1024;
const TIMES: ReadonlySet<string> = new Set(['CREATED_AT', 'UPDATED_AT']);
const storableText = (value: string) => value.length <= 256 && !/[\p{Cc}\p{Cs}]/u.test(value);

/**
 * An opaque cursor: the list that gave it out, its order (field and direction), then the row's sort value
 * and id. A cursor stays valid while rows come and go, since it names a position, not an offset.
 */
export function encodeCursor(list: string, order: ListOrder, row: SortableRow): string {
  const values = [list, order.field, order.direction, sortValueOf(row, order.field), row.id];
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function parsed(cursor: string): unknown {
  if (cursor.length > MAX_CURSOR_LENGTH) return null;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/** A time in a cursor, only as this service writes them (ISO 8601, UTC, milliseconds) and in years PostgreSQL keeps. */
function cursorTime(value: string): Date | null {
  const time = new Date(value);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== value) return null;
  const year = time.getUTCFullYear();
  return year >= 1 && year <= 9999 ? time : null;
}

/**
 * The position in a cursor that `list` gave out under `order`. BAD_USER_INPUT naming the argument when it
 * is not such a cursor, or when it was given out under another order (which it cannot stand in).
 */
export function decodeCursor(argument: CursorArgument, cursor: string, list: string, order: ListOrder): CursorPosition {
  const values = parsed(cursor);
  if (!Array.isArray(values) || values.length !== 5 || values[0] !== list) throw errors.badInput(argument, 'input.cursor');
  const [, field, direction, value, id] = values as unknown[];
  if (field !== order.field || direction !== order.direction) {
    throw errors.badInput(argument, 'input.cursorOrder');
  }
  if (typeof value !== 'string' || !storableText(value) || typeof id !== 'string' || !isUuid(id)) {
    throw errors.badInput(argument, 'input.cursor');
  }
  if (!TIMES.has(order.field)) return { value, id: id.toLowerCase() };
  const time = cursorTime(value);
  if (!time) throw errors.badInput(argument, 'input.cursor');
  return { value: time, id: id.toLowerCase() };
}
