import { errors } from '@keylab/errors';
import { decodeCursor, encodeCursor, type CursorArgument, type CursorPosition } from './cursors';
import { ORDER_COLUMNS, prismaOrderBy, type ListOrder, type SortableRow } from './list-order';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Relay's connection arguments: first/after pages forwards, last/before backwards. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** The part of a Prisma model delegate a page reads. */
export interface RowSource<T> {
  findMany(args: object): Promise<T[]>;
  count(args: object): Promise<number>;
}

export interface PageQuery {
  /** The list that gives out the cursors (a cursor of another list is refused). */
  list: string;
  /** The list's filters: what totalCount counts. */
  where: object;
  order: ListOrder;
  args: PageArgs;
  /** The page size when neither first nor last is given. */
  defaultSize?: number;
}

function checkedSize(argument: 'first' | 'last', size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw errors.badInput(argument, 'input.pageSize', { max: MAX_PAGE_SIZE });
  }
  return size;
}

/** How many rows a page takes, and from which end (last: from the end, next to before). */
export function pageWindow(args: PageArgs, defaultSize = DEFAULT_PAGE_SIZE): { size: number; fromEnd: boolean } {
  if (args.first != null && args.last != null) throw errors.badInput('last', 'input.firstAndLast');
  if (args.last != null) return { size: checkedSize('last', args.last), fromEnd: true };
  return { size: checkedSize('first', args.first ?? defaultSize), fromEnd: false };
}

/** The page's size, end and cursors, or BAD_USER_INPUT naming the argument that is wrong. */
function checkedPage({ args, list, order, defaultSize }: PageQuery) {
  return {
    ...pageWindow(args, defaultSize),
    after: args.after != null ? decodeCursor('after', args.after, list, order) : null,
    before: args.before != null ? decodeCursor('before', args.before, list, order) : null,
  };
}

/**
 * The rows beyond a cursor in a list's order: after it (later in the order) or before it (earlier), with
 * the cursor's own row when `withCursorRow`. Ties on the sort value are broken by the id.
 */
function beyond(order: ListOrder, cursor: CursorPosition, side: CursorArgument, withCursorRow = false): object {
  const column = ORDER_COLUMNS[order.field];
  const greater = (order.direction === 'ASC') === (side === 'after');
  const op = greater ? 'gt' : 'lt';
  return {
    OR: [{ [column]: { [op]: cursor.value } }, { [column]: cursor.value, id: { [withCursorRow ? `${op}e` : op]: cursor.id } }],
  };
}

/** Whether any row of the list lies behind the cursor a page reads away from (that cursor's own row included). */
async function anyBeyond(
  source: RowSource<unknown>,
  where: object,
  order: ListOrder,
  cursor: CursorPosition,
  side: CursorArgument,
) {
  const found = await source.findMany({
    where: { AND: [where, beyond(order, cursor, side, true)] },
    select: { id: true },
    take: 1,
  });
  return found.length > 0;
}

/**
 * One page of a list by keyset pagination (Relay Cursor Connections): a cursor holds the order and the
 * position of a row, so rows inserted or deleted between two requests never repeat or skip one.
 * hasPreviousPage (paging forwards) and hasNextPage (backwards) are exact: one more small query tells
 * whether rows lie beyond the cursor the page started from.
 */
export async function keysetPage<T extends SortableRow>(source: RowSource<T>, query: PageQuery): Promise<Connection<T>> {
  const { list, where, order } = query;
  const { size, fromEnd, after, before } = checkedPage(query);
  const bounds = [after && beyond(order, after, 'after'), before && beyond(order, before, 'before')].filter((b) => b !== null);
  // Paging from the end reads the order backwards, away from before; forwards it reads away from after.
  const origin = fromEnd ? before : after;
  const [rows, totalCount, behindOrigin] = await Promise.all([
    source.findMany({ where: { AND: [where, ...bounds] }, orderBy: prismaOrderBy(order, fromEnd), take: size + 1 }),
    source.count({ where }),
    origin ? anyBeyond(source, where, order, origin, fromEnd ? 'after' : 'before') : false,
  ]);
  return connectionOf(list, order, rows, { size, fromEnd, behindOrigin, totalCount });
}

/** The page of `rows` (read in the page's direction, one more than its size when more lie ahead) as a connection. */
function connectionOf<T extends SortableRow>(
  list: string,
  order: ListOrder,
  rows: T[],
  { size, fromEnd, behindOrigin, totalCount }: { size: number; fromEnd: boolean; behindOrigin: boolean; totalCount: number },
): Connection<T> {
  const page = rows.slice(0, size);
  if (fromEnd) page.reverse();
  const edges = page.map((node) => ({ cursor: encodeCursor(list, order, node), node }));
  const more = rows.length > size;
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: fromEnd ? behindOrigin : more,
      hasPreviousPage: fromEnd ? more : behindOrigin,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Whether a page starts at an end of its list (no after or before cursor): then many lists' pages can be read at once. */
export const startsAtAnEnd = (args: PageArgs) => args.after == null && args.before == null;

/**
 * The first (or, with last, the final) page of each of many lists of one kind, such as the keycaps of many kits,
 * from rows read for all of them at once: `read` gets how many rows each list needs and in which order, and
 * answers each list's rows and count. The same pages keysetPage gives, without one query per list.
 */
export async function pagesAtAnEnd<T extends SortableRow>(
  query: Omit<PageQuery, 'where'>,
  read: (take: number, orderBy: ReturnType<typeof prismaOrderBy>) => Promise<{ rows: T[]; totalCount: number }[]>,
): Promise<Connection<T>[]> {
  const { size, fromEnd } = checkedPage({ ...query, where: {} });
  const lists = await read(size + 1, prismaOrderBy(query.order, fromEnd));
  return lists.map(({ rows, totalCount }) =>
    connectionOf(query.list, query.order, rows, { size, fromEnd, behindOrigin: false, totalCount }),
  );
}

/** An empty page, once the arguments are checked (for a list whose filter can match nothing). */
export function emptyPage<T>(query: PageQuery): Connection<T> {
  checkedPage(query);
  return {
    edges: [],
    nodes: [],
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    totalCount: 0,
  };
}
