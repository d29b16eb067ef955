import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import {
  ORDERS,
  PAGE,
  page,
  prismaOrder,
  readBackwards,
  readForwards,
  type ListUnderTest,
  type Order,
  type PageVariables,
} from './list-pages';

let stack: Stack;
let owner: TestUser;
let kitId: string;
let boxTypeId: string;
let switchId: string;

// Mixed scripts and cases, so that the title order is not the order of creation.
const TITLES = ['Альфа', 'альфа малая', 'Beta', 'beta', 'Гамма', 'Zeta', 'Ёж', 'omega'];
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
// Equal times on purpose: ties are broken by id, and a page edge may fall between equal values.
const CREATED = [0, 0, 1, 1, 1, 2, 3, 3].map(at);
const UPDATED = [5, 2, 2, 4, 6, 6, 4, 2].map(at);
const rows = () =>
  TITLES.map((title, i) => ({ ownerId: owner.id, title, boxTypeId, createdAt: CREATED[i]!, updatedAt: UPDATED[i]! }));

beforeAll(async () => {
  stack = await startStack();
  owner = await stack.createUser();
  boxTypeId = (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id;
  switchId = (await stack.keyboards.db.switch.findFirstOrThrow()).id;
  const db = stack.keyboards.db;
  await db.box.createMany({ data: rows() });
  await db.kit.createMany({ data: rows() });
  await db.keyboard.createMany({ data: rows().map((row) => ({ ...row, switchId })) });
  const kit = await db.kit.create({ data: { ownerId: owner.id, title: 'Keycap host kit', boxTypeId } });
  kitId = kit.id;
  await db.keycap.createMany({
    data: rows().map(({ title, createdAt, updatedAt }) => ({ kitId, title, fileName: 'key', createdAt, updatedAt })),
  });
});

afterAll(async () => {
  const db = stack?.keyboards.db;
  if (db && owner) {
    await db.keyboard.deleteMany({ where: { ownerId: owner.id } });
    await db.box.deleteMany({ where: { ownerId: owner.id } });
    await db.kit.deleteMany({ where: { ownerId: owner.id } });
  }
  await stack?.close();
});

/** The host kit's id as the API gives it out (whatever form ids take). */
async function apiKitId(): Promise<string> {
  const { data } = await stack.graphql<{ kits: { nodes: { id: string }[] } }>(
    '{ kits(owner: MINE, search: "Keycap host kit") { nodes { id } } }',
    { token: owner.token },
  );
  return data!.kits.nodes[0]!.id;
}

interface Case {
  list: () => Promise<ListUnderTest>;
  orders: Order[];
  /** The titles in an order, as the database sorts them (the oracle). */
  expected: (order: Order) => Promise<string[]>;
}

const titlesOf = (found: { title: string }[]) => found.map((row) => row.title);
/** The owner's items of a kind (the kits include the keycaps' host kit). */
const itemsOf = (model: 'box' | 'kit' | 'keyboard') => (order: Order) =>
  (stack.keyboards.db[model] as unknown as { findMany(args: object): Promise<{ title: string }[]> })
    .findMany({ where: { ownerId: owner.id }, orderBy: prismaOrder(order), select: { title: true } })
    .then(titlesOf);

const mine = (name: string, field: string, orderType: string): ListUnderTest => ({
  name,
  orderType,
  select: (args) => `list: ${field}(owner: MINE, ${args}) { ${PAGE} }`,
  path: ['list'],
  token: owner.token,
});
const ofMe = (name: string, field: string, orderType: string): ListUnderTest => ({
  name,
  orderType,
  select: (args) => `me { list: ${field}(${args}) { ${PAGE} } }`,
  path: ['me', 'list'],
  token: owner.token,
});
const CASES: Record<string, Case> = {
  // The default switch types, read only: they are shared with every other test file (so none is added here,
  // and their times are as the migration and the seed left them, equal or close: ties fall inside pages).
  switches: {
    list: async () => ({
      name: 'switches',
      orderType: 'SwitchOrder',
      select: (args) => `list: switches(${args}) { ${PAGE} }`,
      path: ['list'],
    }),
    orders: ORDERS,
    expected: (order) =>
      stack.keyboards.db.switch.findMany({ orderBy: prismaOrder(order), select: { title: true } }).then(titlesOf),
  },
  boxes: { list: async () => mine('boxes', 'boxes', 'BoxOrder'), orders: ORDERS, expected: itemsOf('box') },
  kits: { list: async () => mine('kits', 'kits', 'KitOrder'), orders: ORDERS, expected: itemsOf('kit') },
  keyboards: { list: async () => mine('keyboards', 'keyboards', 'KeyboardOrder'), orders: ORDERS, expected: itemsOf('keyboard') },
  'User.boxes': { list: async () => ofMe('User.boxes', 'boxes', 'BoxOrder'), orders: ORDERS, expected: itemsOf('box') },
  'User.kits': { list: async () => ofMe('User.kits', 'kits', 'KitOrder'), orders: ORDERS, expected: itemsOf('kit') },
  'User.keyboards': {
    list: async () => ofMe('User.keyboards', 'keyboards', 'KeyboardOrder'),
    orders: ORDERS,
    expected: itemsOf('keyboard'),
  },
  'Kit.keycaps': {
    list: async () => ({
      name: 'Kit.keycaps',
      orderType: 'KeycapOrder',
      select: (args) => `kit(id: $kit) { list: keycaps(${args}) { ${PAGE} } }`,
      path: ['kit', 'list'],
      extraVariables: { types: { kit: 'ID!' }, values: { kit: await apiKitId() } },
    }),
    orders: ORDERS,
    expected: (order) =>
      stack.keyboards.db.keycap
        .findMany({ where: { kitId }, orderBy: prismaOrder(order), select: { title: true } })
        .then(titlesOf),
  },
};

describe('every list in every order', () => {
  it.each(Object.keys(CASES))('%s pages forwards and backwards through the same rows, without gaps or repeats', async (name) => {
    const { list: makeList, orders, expected } = CASES[name]!;
    const list = await makeList();
    await Promise.all(
      orders.map(async (orderBy) => {
        const want = await expected(orderBy);
        const read = (variables: PageVariables) => page(stack, list, { ...variables, orderBy });
        const label = `${name} by ${orderBy.field} ${orderBy.direction}`;
        expect(await readForwards(read, 3), `${label}, forwards`).toEqual(want);
        expect(await readBackwards(read, 3), `${label}, backwards`).toEqual(want);
        // A page as large as the list: no neighbours either way.
        const whole = await read({ first: want.length });
        expect(whole.totalCount, label).toBe(want.length);
        expect(whole.pageInfo, label).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      }),
    );
  });

  it('keeps each list’s order when orderBy is not given: items newest first, switches and keycaps by title', async () => {
    const boxes = mine('boxes', 'boxes', 'BoxOrder');
    const newest = await itemsOf('box')({ field: 'CREATED_AT', direction: 'DESC' });
    expect((await page(stack, boxes, { first: 20 })).edges.map((e) => e.node.title)).toEqual(newest);
    const { data } = await stack.graphql<{ switches: { nodes: { title: string }[] } }>('{ switches { nodes { title } } }');
    expect(data!.switches.nodes.map((s) => s.title)).toEqual(['MX Black', 'MX Blue', 'MX Brown', 'MX Red']);
  });

  it('gives switch types the times they are ordered by', async () => {
    type Times = { title: string; createdAt: string; updatedAt: string };
    const times = ({ title, createdAt, updatedAt }: { title: string; createdAt: Date; updatedAt: Date }): Times => ({
      title,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    });
    for (const orderBy of ORDERS.filter((order) => order.field !== 'TITLE')) {
      const { data, errors } = await stack.graphql<{ switches: { nodes: Times[] } }>(
        'query ($orderBy: SwitchOrder) { switches(orderBy: $orderBy) { nodes { title createdAt updatedAt } } }',
        { variables: { orderBy } },
      );
      expect(errors).toBeUndefined();
      const rows = await stack.keyboards.db.switch.findMany({
        orderBy: prismaOrder(orderBy),
        select: { title: true, createdAt: true, updatedAt: true },
      });
      expect(data!.switches.nodes, `${orderBy.field} ${orderBy.direction}`).toEqual(rows.map(times));
    }
  });

  it('continues from any edge’s cursor, not only from the ends of a page', async () => {
    const boxes = mine('boxes', 'boxes', 'BoxOrder');
    const orderBy: Order = { field: 'TITLE', direction: 'ASC' };
    const want = await itemsOf('box')(orderBy);
    const first = await page(stack, boxes, { orderBy, first: 5 });
    const fromSecond = await page(stack, boxes, { orderBy, first: 2, after: first.edges[1]!.cursor });
    expect(fromSecond.edges.map((e) => e.node.title)).toEqual(want.slice(2, 4));
    const beforeFourth = await page(stack, boxes, { orderBy, last: 2, before: first.edges[3]!.cursor });
    expect(beforeFourth.edges.map((e) => e.node.title)).toEqual(want.slice(1, 3));
    expect(beforeFourth.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    // Both cursors: the rows between them, as Relay's algorithm slices.
    const between = await page(stack, boxes, { orderBy, after: first.edges[0]!.cursor, before: first.edges[4]!.cursor });
    expect(between.edges.map((e) => e.node.title)).toEqual(want.slice(1, 4));
  });
});

describe('lists that change between pages', () => {
  let reader: TestUser;
  const db = () => stack.keyboards.db;

  beforeAll(async () => {
    reader = await stack.createUser();
  });

  afterAll(async () => {
    if (reader) await db().box.deleteMany({ where: { ownerId: reader.id } });
  });

  const boxesOfReader = (): ListUnderTest => mine('reader boxes', 'boxes', 'BoxOrder');

  /**
   * Reads the reader's boxes while, after the first page, another client deletes the row the cursor names and
   * one not read yet, and adds one on each side of the cursor. Rows present throughout come exactly once,
   * in order; the new one ahead is read, the one behind is not, the deleted unread one is not.
   */
  it.each([
    ['forwards', { field: 'CREATED_AT', direction: 'DESC' }],
    ['forwards', { field: 'TITLE', direction: 'ASC' }],
    ['backwards', { field: 'CREATED_AT', direction: 'DESC' }],
    ['backwards', { field: 'UPDATED_AT', direction: 'ASC' }],
  ] as const)('%s by %o never repeats or skips a row', async (way, orderBy) => {
    const prefix = `${way} ${orderBy.field} ${orderBy.direction}`;
    const title = (n: number) => `${prefix} ${String.fromCharCode(0x41 + ((n * 7) % 26))}${n}`;
    const base = Date.UTC(2026, 1, 1);
    const made = Array.from({ length: 10 }, (_, n) => ({
      ownerId: reader.id,
      boxTypeId,
      title: title(n),
      createdAt: new Date(base + n * 1000),
      updatedAt: new Date(base + ((n * 3) % 10) * 1000),
    }));
    await db().box.createMany({ data: made });
    const list = { ...boxesOfReader(), token: reader.token };
    const read = (variables: PageVariables) => page(stack, list, { ...variables, orderBy, search: prefix });
    const oracle = () =>
      db()
        .box.findMany({
          where: { ownerId: reader.id, title: { startsWith: prefix } },
          orderBy: prismaOrder(orderBy),
          select: { title: true },
        })
        .then(titlesOf);
    const before = await oracle();
    let firstPage: string[] = [];
    let added: { ahead: string; behind: string; deleted: string } | undefined;

    const change = async (current: { edges: { node: { title: string } }[] }) => {
      firstPage = current.edges.map((e) => e.node.title);
      // Forwards the cursor is the page's last row; backwards its first.
      const cursorRow = way === 'forwards' ? firstPage.at(-1)! : firstPage[0]!;
      const unread = before.filter((t) => !firstPage.includes(t));
      const deleted = way === 'forwards' ? unread[2]! : unread.at(-3)!;
      await db().box.deleteMany({ where: { ownerId: reader.id, title: { in: [cursorRow, deleted] } } });
      // A copy of a row read already sorts next to it; one of an unread row next to that: only the unread side is read.
      const near = (t: string) => made.find((row) => row.title === t)!;
      const readRow = near(firstPage[1]!);
      const unreadRow = near(way === 'forwards' ? unread[0]! : unread.at(-1)!);
      const behind = `${readRow.title}+`;
      const ahead = `${unreadRow.title}+`;
      await db().box.createMany({
        data: [
          { ...readRow, title: behind },
          { ...unreadRow, title: ahead },
        ],
      });
      added = { ahead, behind, deleted };
    };

    const seen = way === 'forwards' ? await readForwards(read, 3, change) : await readBackwards(read, 3, change);
    expect(new Set(seen).size, `${prefix}: ${seen.join(', ')}`).toBe(seen.length);
    const now = await oracle();
    const rest = now.filter((t) => !firstPage.includes(t) && t !== added!.behind);
    const want = way === 'forwards' ? [...firstPage, ...rest] : [...rest, ...firstPage];
    expect(seen, prefix).toEqual(want);
    expect(seen).toContain(added!.ahead);
    expect(seen).not.toContain(added!.behind);
    expect(seen).not.toContain(added!.deleted);
  });
});
