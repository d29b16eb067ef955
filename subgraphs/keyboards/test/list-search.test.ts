import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { PAGE, page, readBackwards, readForwards, refused, type ListUnderTest, type PageVariables } from './list-pages';

let stack: Stack;
let owner: TestUser;
let boxTypeId: string;
let otherBoxTypeId: string;
let switchId: string;
let otherSwitchId: string;

const TITLES = [
  'Клавиатура Тест',
  'КЛАВИАТУРА большая',
  'моя клавиатураX',
  'Клавиша',
  'Ёлка и ЁЖ',
  'ΣΊΓΜΑ Greek',
  'Mixed Case Board',
  '100% cotton',
  '100 percent',
  'under_score',
  'underXscore',
  'back\\slash',
  'backslash',
];

beforeAll(async () => {
  stack = await startStack();
  owner = await stack.createUser();
  const db = stack.keyboards.db;
  [boxTypeId, otherBoxTypeId] = await db.boxType
    .findMany({ where: { title: { in: ['60%', '40%'] } }, orderBy: { title: 'desc' } })
    .then((rows) => rows.map((row) => row.id));
  [switchId, otherSwitchId] = await db.switch
    .findMany({ orderBy: { title: 'asc' }, take: 2 })
    .then((rows) => rows.map((r) => r.id));
  // Every other item of another box type (and for keyboards another switch), to check the filters with search.
  const of = (i: number) => (i % 2 ? otherBoxTypeId! : boxTypeId!);
  await db.box.createMany({ data: TITLES.map((title, i) => ({ ownerId: owner.id, title, boxTypeId: of(i) })) });
  await db.kit.createMany({ data: TITLES.map((title, i) => ({ ownerId: owner.id, title, boxTypeId: of(i) })) });
  await db.keyboard.createMany({
    data: TITLES.map((title, i) => ({
      ownerId: owner.id,
      title,
      boxTypeId: boxTypeId!,
      switchId: i % 2 ? otherSwitchId! : switchId!,
    })),
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

const LISTS = (): ListUnderTest[] => [
  {
    name: 'boxes',
    orderType: 'BoxOrder',
    select: (a) => `list: boxes(owner: MINE, ${a}) { ${PAGE} }`,
    path: ['list'],
    token: owner.token,
  },
  {
    name: 'kits',
    orderType: 'KitOrder',
    select: (a) => `list: kits(owner: MINE, ${a}) { ${PAGE} }`,
    path: ['list'],
    token: owner.token,
  },
  {
    name: 'keyboards',
    orderType: 'KeyboardOrder',
    select: (a) => `list: keyboards(owner: MINE, ${a}) { ${PAGE} }`,
    path: ['list'],
    token: owner.token,
  },
  {
    name: 'User.boxes',
    orderType: 'BoxOrder',
    select: (a) => `me { list: boxes(${a}) { ${PAGE} } }`,
    path: ['me', 'list'],
    token: owner.token,
  },
  {
    name: 'User.kits',
    orderType: 'KitOrder',
    select: (a) => `me { list: kits(${a}) { ${PAGE} } }`,
    path: ['me', 'list'],
    token: owner.token,
  },
  {
    name: 'User.keyboards',
    orderType: 'KeyboardOrder',
    select: (a) => `me { list: keyboards(${a}) { ${PAGE} } }`,
    path: ['me', 'list'],
    token: owner.token,
  },
];

const found = async (list: ListUnderTest, search: string) => {
  const result = await page(stack, list, { search, first: 100, orderBy: { field: 'TITLE', direction: 'ASC' } as const });
  expect(result.totalCount, `${list.name} "${search}"`).toBe(result.edges.length);
  return result.edges.map((edge) => edge.node.title).sort();
};

describe('title search', () => {
  it('is a case-insensitive substring match in any script, on every list', async () => {
    // PostgreSQL's ILIKE folds case by the database's LC_CTYPE; this proves the one the tests run on does it for Cyrillic.
    for (const list of LISTS()) {
      const keyboards = ['Клавиатура Тест', 'КЛАВИАТУРА большая', 'моя клавиатураX'].sort();
      expect(await found(list, 'клавиатура')).toEqual(keyboards);
      expect(await found(list, 'КЛАВИАТУРА')).toEqual(keyboards);
      expect(await found(list, 'кЛаВиАтУрА')).toEqual(keyboards);
      expect(await found(list, 'тест')).toEqual(['Клавиатура Тест']);
      expect(await found(list, 'клави')).toEqual([...keyboards, 'Клавиша'].sort());
      expect(await found(list, 'ёж')).toEqual(['Ёлка и ЁЖ']);
      expect(await found(list, 'σίγμα')).toEqual(['ΣΊΓΜΑ Greek']);
      expect(await found(list, 'mIXED case')).toEqual(['Mixed Case Board']);
      // Trimmed and NFC like titles; empty is no filter.
      expect(await found(list, '  ТЕСТ  ')).toEqual(['Клавиатура Тест']);
      expect(await found(list, 'Е\u0308лка')).toEqual(['Ёлка и ЁЖ']);
      expect(await found(list, '   ')).toEqual([...TITLES].sort());
      expect(await found(list, 'nothing like this')).toEqual([]);
    }
  });

  it('takes %, _ and \\ literally', async () => {
    for (const list of LISTS()) {
      expect(await found(list, '%')).toEqual(['100% cotton']);
      expect(await found(list, '0%')).toEqual(['100% cotton']);
      expect(await found(list, '_')).toEqual(['under_score']);
      expect(await found(list, 'r_s')).toEqual(['under_score']);
      expect(await found(list, '\\')).toEqual(['back\\slash']);
      expect(await found(list, 'k\\s')).toEqual(['back\\slash']);
      expect(await found(list, '%_\\')).toEqual([]);
    }
  });

  it('combines with the box type and switch filters on the root lists and on a user’s lists', async () => {
    const filtered = (
      name: string,
      orderType: string,
      select: (a: string) => string,
      path: string[],
      values: Record<string, unknown>,
    ): ListUnderTest => ({
      name,
      orderType,
      select,
      path,
      token: owner.token,
      extraVariables: { types: { filter: 'ID' }, values },
    });
    const byBoxType = { filter: otherBoxTypeId };
    const bySwitch = { filter: otherSwitchId };
    const lists: ListUnderTest[] = [
      filtered('boxes', 'BoxOrder', (a) => `list: boxes(owner: MINE, boxTypeId: $filter, ${a}) { ${PAGE} }`, ['list'], byBoxType),
      filtered('kits', 'KitOrder', (a) => `list: kits(owner: MINE, boxTypeId: $filter, ${a}) { ${PAGE} }`, ['list'], byBoxType),
      filtered(
        'keyboards',
        'KeyboardOrder',
        (a) => `list: keyboards(owner: MINE, switchId: $filter, ${a}) { ${PAGE} }`,
        ['list'],
        bySwitch,
      ),
      filtered(
        'User.boxes',
        'BoxOrder',
        (a) => `me { list: boxes(boxTypeId: $filter, ${a}) { ${PAGE} } }`,
        ['me', 'list'],
        byBoxType,
      ),
      filtered(
        'User.kits',
        'KitOrder',
        (a) => `me { list: kits(boxTypeId: $filter, ${a}) { ${PAGE} } }`,
        ['me', 'list'],
        byBoxType,
      ),
      filtered(
        'User.keyboards',
        'KeyboardOrder',
        (a) => `me { list: keyboards(switchId: $filter, ${a}) { ${PAGE} } }`,
        ['me', 'list'],
        bySwitch,
      ),
    ];
    // Odd positions have the other box type (boxes, kits) or the other switch (keyboards).
    const odd = TITLES.filter((_, i) => i % 2).sort();
    for (const list of lists) {
      expect(await found(list, ''), list.name).toEqual(odd);
      expect(await found(list, 'клавиатура'), list.name).toEqual(['КЛАВИАТУРА большая']);
    }
    const badFilter = await refused(
      stack,
      { ...lists[3]!, extraVariables: { types: { filter: 'ID' }, values: { filter: 'nope' } } },
      {},
    );
    expect(badFilter.error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'boxTypeId' });
  });

  it('pages within the search, forwards and backwards, with totalCount of what it finds', async () => {
    const [boxes] = LISTS();
    const read = (variables: PageVariables) =>
      page(stack, boxes!, { ...variables, search: 'клав', orderBy: { field: 'TITLE', direction: 'DESC' } });
    const want = ['Клавиша', 'Клавиатура Тест', 'КЛАВИАТУРА большая', 'моя клавиатураX'];
    const all = (await read({ first: 100 })).edges.map((e) => e.node.title);
    expect([...all].sort()).toEqual([...want].sort());
    expect(await readForwards(read, 1)).toEqual(all);
    expect(await readBackwards(read, 3)).toEqual(all);
    expect((await read({ first: 1 })).totalCount).toBe(4);
  });

  it('searches the default catalogue and switches too (and caches each search on its own)', async () => {
    const boxes = await stack.graphql<{ boxes: { nodes: { title: string }[] } }>(
      '{ boxes(search: "бокс 6") { nodes { title } } }',
    );
    expect(boxes.data?.boxes.nodes).toEqual([{ title: 'Бокс 60%' }]);
    const again = await stack.graphql<{ boxes: { nodes: { title: string }[] } }>(
      '{ boxes(search: "БОКС 4") { nodes { title } } }',
    );
    expect(again.data?.boxes.nodes).toEqual([{ title: 'Бокс 40%' }]);
    const switches = await stack.graphql<{ switches: { nodes: { title: string }[] } }>(
      '{ switches(search: "mx b") { nodes { title } } }',
    );
    expect(switches.data?.switches.nodes.map((s) => s.title)).toEqual(['MX Black', 'MX Blue', 'MX Brown']);
    const kit = await stack.graphql<{ kits: { nodes: { keycaps: { totalCount: number; nodes: { title: string }[] } }[] } }>(
      'query ($t: ID) { kits(boxTypeId: $t, first: 1) { nodes { keycaps(search: "ALT", first: 20) { totalCount nodes { title } } } } }',
      { variables: { t: boxTypeId } },
    );
    expect(kit.errors).toBeUndefined();
    const keycaps = kit.data!.kits.nodes[0]!.keycaps;
    expect(keycaps.totalCount).toBeGreaterThan(0);
    expect(keycaps.nodes.every((k) => k.title.toLowerCase().includes('alt'))).toBe(true);
  });
});

describe('bad list arguments', () => {
  const field = (answer: Awaited<ReturnType<typeof refused>>) => answer.error?.extensions;

  it('refuses a search too long or with control characters, naming search, and answers no list', async () => {
    for (const list of LISTS()) {
      expect((await found(list, 'к'.repeat(64))).length).toBe(0);
      for (const search of ['к'.repeat(65), 'a\u0000b', 'tab\there', '\ud800']) {
        const answer = await refused(stack, list, { search });
        expect(field(answer), `${list.name} ${JSON.stringify(search)}`).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'search',
        });
        expect(answer.connection).toBeNull();
      }
    }
  });

  it('refuses first with last, and page sizes out of 1 to 100, naming the argument', async () => {
    for (const list of LISTS()) {
      expect(field(await refused(stack, list, { first: 2, last: 2 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
      expect(field(await refused(stack, list, { last: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
      expect(field(await refused(stack, list, { last: 101 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
      expect(field(await refused(stack, list, { first: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    const [boxes] = LISTS();
    const ru = await refused(stack, boxes!, { first: 1, last: 1 }, { 'accept-language': 'ru' });
    expect(ru.error?.message).toBe(
      'Недопустимое значение поля «размер страницы с конца»: нельзя передавать вместе с first: листайте вперёд с first и after или назад с last и before.',
    );
  });

  it('refuses a cursor given under another order, or by another list, naming after or before', async () => {
    const [boxes] = LISTS();
    const byTitle = await page(stack, boxes!, { first: 2, orderBy: { field: 'TITLE', direction: 'ASC' } });
    const cursor = byTitle.pageInfo.endCursor!;
    for (const orderBy of [
      { field: 'TITLE', direction: 'DESC' },
      { field: 'CREATED_AT', direction: 'ASC' },
      undefined,
    ] as const) {
      for (const argument of ['after', 'before'] as const) {
        const answer = await refused(stack, boxes!, { orderBy, [argument]: cursor });
        expect(field(answer), `${argument} under ${JSON.stringify(orderBy)}`).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: argument,
        });
        expect(answer.error?.message).toMatch(/another order/);
      }
    }
    // The same order takes it, backwards too.
    expect(
      (await page(stack, boxes!, { before: cursor, last: 1, orderBy: { field: 'TITLE', direction: 'ASC' } })).edges,
    ).toHaveLength(1);
    // A cursor of switches is not one of boxes, nor a keyboards one of kits.
    const switches = await stack.graphql<{ switches: { pageInfo: { endCursor: string } } }>(
      '{ switches(first: 1) { pageInfo { endCursor } } }',
    );
    const switchCursor = switches.data!.switches.pageInfo.endCursor;
    const fromSwitches = await refused(stack, boxes!, { after: switchCursor, orderBy: { field: 'TITLE', direction: 'ASC' } });
    expect(field(fromSwitches)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(fromSwitches.error?.message).toBe('Invalid value of after: is not a cursor this list gave out.');
    for (const forged of [
      'nope',
      Buffer.from('["box","TITLE","ASC","x","not-a-uuid"]').toString('base64url'),
      'x'.repeat(5000),
    ]) {
      expect(field(await refused(stack, boxes!, { before: forged }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
    }
    const badTime = Buffer.from(`["box","CREATED_AT","DESC","2026-13-01T00:00:00.000Z","${crypto.randomUUID()}"]`).toString(
      'base64url',
    );
    expect(field(await refused(stack, boxes!, { after: badTime }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('changes nothing when it refuses', async () => {
    const count = () => stack.keyboards.db.box.count({ where: { ownerId: owner.id } });
    const before = await count();
    const [boxes] = LISTS();
    await refused(stack, boxes!, { first: 1, last: 1 });
    await refused(stack, boxes!, { search: 'x'.repeat(100) });
    expect(await count()).toBe(before);
    expect((await page(stack, boxes!, { first: 100 })).totalCount).toBe(TITLES.length);
  });
});

describe('the cost of a page', () => {
  it('stays a constant number of SQL queries with cursors, search and an order', async () => {
    const [, , keyboards] = LISTS();
    const first = await page(stack, keyboards!, { first: 3, orderBy: { field: 'UPDATED_AT', direction: 'ASC' } });
    let queries = 0;
    const count = () => (queries += 1);
    stack.keyboards.db.$on('query', count);
    const answer = await stack.graphql<{ keyboards: { edges: unknown[] } }>(
      `query ($after: String) {
        keyboards(owner: MINE, first: 5, after: $after, search: "a", orderBy: { field: UPDATED_AT, direction: ASC }) {
          totalCount pageInfo { hasPreviousPage } edges { node { title switch { title } boxType { title } } }
        }
      }`,
      { variables: { after: first.pageInfo.endCursor }, token: owner.token },
    );
    expect(answer.errors).toBeUndefined();
    // The page, its count, whether anything lies before the cursor, one batch of switches and one of box types.
    expect(queries).toBeLessThanOrEqual(5);
  });
});
