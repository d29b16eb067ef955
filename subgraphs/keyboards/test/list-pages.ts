import { expect } from 'vitest';
import type { Stack } from '@keylab/test-support';

/** The connection fields the list tests read. */
export const PAGE = 'totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

export interface Page {
  totalCount: number;
  edges: { cursor: string; node: { title: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export interface Order {
  field: 'TITLE' | 'CREATED_AT' | 'UPDATED_AT';
  direction: 'ASC' | 'DESC';
}

export interface PageVariables {
  orderBy?: Order;
  first?: number;
  after?: string;
  last?: number;
  before?: string;
  search?: string;
}

type Errorish = { errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** A catalogue list as a test reaches it through the gateway. */
export interface ListUnderTest {
  name: string;
  /** The GraphQL type of its orderBy. */
  orderType: string;
  /** The selection, given the list's arguments, that names the connection `list` (maybe inside other fields). */
  select: (args: string) => string;
  /** Where the connection is in the answer's data. */
  path: string[];
  /** More variables the selection uses (name to type), and their values. */
  extraVariables?: { types: Record<string, string>; values: Record<string, unknown> };
  token?: string;
}

const ARGUMENTS = 'orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before, search: $search';

/** Asks for one page; the answer as it came (for tests of errors). */
export function askPage(stack: Stack, list: ListUnderTest, variables: PageVariables, headers?: Record<string, string>) {
  const extra = Object.entries(list.extraVariables?.types ?? {}).map(([name, type]) => `, $${name}: ${type}`);
  const query = `query ($orderBy: ${list.orderType}, $first: Int, $after: String, $last: Int, $before: String, $search: String${extra.join('')}) { ${list.select(ARGUMENTS)} }`;
  return stack.graphql<Record<string, unknown>>(query, {
    variables: { ...list.extraVariables?.values, ...variables },
    token: list.token,
    headers,
  });
}

const connectionAt = (data: unknown, path: string[]) =>
  path.reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], data) as Page | null;

/** One page, which must come without errors. */
export async function page(stack: Stack, list: ListUnderTest, variables: PageVariables): Promise<Page> {
  const answer = await askPage(stack, list, variables);
  if (answer.errors) throw new Error(`${list.name} ${JSON.stringify(variables)}: ${JSON.stringify(answer.errors)}`);
  const connection = connectionAt(answer.data, list.path);
  if (!connection) throw new Error(`${list.name}: no connection at ${list.path.join('.')}`);
  return connection;
}

/** The first error of an answer that must have failed, and what the list came back as. */
export async function refused(stack: Stack, list: ListUnderTest, variables: PageVariables, headers?: Record<string, string>) {
  const answer: Errorish & { data?: unknown } = await askPage(stack, list, variables, headers);
  return { error: answer.errors?.[0], connection: connectionAt(answer.data, list.path) };
}

const titles = (page: Page) => page.edges.map((edge) => edge.node.title);

/** PageInfo's cursors are those of the page's ends (null for an empty page). */
function expectCursorsOfEnds(page: Page) {
  expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
  expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
}

const MAX_PAGES = 100;

/**
 * Every title of a list, paged forwards with first/after; checks pageInfo on each page. `between` runs after
 * the first page (to change the list under the reader's feet).
 */
export async function readForwards(
  read: (variables: PageVariables) => Promise<Page>,
  size: number,
  between?: (firstPage: Page) => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages += 1) {
    const current = await read({ first: size, after });
    expectCursorsOfEnds(current);
    expect(current.pageInfo.hasPreviousPage, `hasPreviousPage after ${after}`).toBe(after !== undefined);
    seen.push(...titles(current));
    if (!current.pageInfo.hasNextPage) return seen;
    expect(current.edges).toHaveLength(size);
    if (pages === 0 && between) await between(current);
    after = current.pageInfo.endCursor!;
  }
  throw new Error('the list never ended');
}

/** Every title of a list, paged backwards with last/before (from the end to the start), in the list's order. */
export async function readBackwards(
  read: (variables: PageVariables) => Promise<Page>,
  size: number,
  between?: (lastPage: Page) => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages += 1) {
    const current = await read({ last: size, before });
    expectCursorsOfEnds(current);
    expect(current.pageInfo.hasNextPage, `hasNextPage before ${before}`).toBe(before !== undefined);
    seen.unshift(...titles(current));
    if (!current.pageInfo.hasPreviousPage) return seen;
    expect(current.edges).toHaveLength(size);
    if (pages === 0 && between) await between(current);
    before = current.pageInfo.startCursor!;
  }
  throw new Error('the list never started');
}

export const ORDERS: Order[] = (['TITLE', 'CREATED_AT', 'UPDATED_AT'] as const).flatMap((field) =>
  (['ASC', 'DESC'] as const).map((direction) => ({ field, direction })),
);

const COLUMNS = { TITLE: 'title', CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt' } as const;

/** The Prisma orderBy of an order, ties by id the same way: the database's own order is the test's oracle. */
export const prismaOrder = (order: Order): { [column: string]: 'asc' | 'desc' }[] => {
  const direction = order.direction === 'ASC' ? 'asc' : 'desc';
  return [{ [COLUMNS[order.field]]: direction }, { id: direction }];
};
