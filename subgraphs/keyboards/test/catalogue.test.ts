import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@keylab/testing';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import type { StatsEventBatchV1 } from '@keylab/messaging';
import { fromGlobalId, toGlobalId } from '@keylab/server';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
/** Global ids by title, as the API gives them out. */
const boxTypes: Record<string, string> = {};
const switches: Record<string, string> = {};
/** The database's UUID behind a global id. */
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob, admin] = await Promise.all([stack.createUser(), stack.createUser(), stack.createUser(['user', 'admin'])]);
  for (const row of await stack.keyboards.db.boxType.findMany()) boxTypes[row.title] = toGlobalId('BoxType', row.id);
  for (const row of await stack.keyboards.db.switch.findMany()) switches[row.title] = toGlobalId('Switch', row.id);
});

afterAll(async () => {
  const owners = [alice?.id, bob?.id, admin?.id].filter(Boolean);
  await stack.keyboards.db.keyboard.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.box.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.kit.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.box.deleteMany({ where: { ownerId: null, title: { startsWith: 'Admin default' } } });
  await stack?.close();
});

type Errorish = { errors?: { extensions?: Record<string, unknown>; message: string }[] };
const code = (response: Errorish) => response.errors?.[0]?.extensions?.code;

describe('default catalogue', () => {
  it('lists default boxes, kits and keyboards with their box type, newest first, filtered by box type and switch', async () => {
    const { data, errors } = await stack.graphql<{
      boxes: { totalCount: number; nodes: { title: string; isDefault: boolean; owner: null; boxType: { title: string } }[] };
      kits: { totalCount: number };
      keyboards: { totalCount: number };
      sixty: { nodes: { title: string }[] };
      blue: { nodes: { title: string; switch: { title: string } }[] };
    }>(
      `query ($sixty: ID!, $blue: ID!) {
        boxes { totalCount nodes { title isDefault owner { id } boxType { title } } }
        kits { totalCount }
        keyboards { totalCount }
        sixty: boxes(boxTypeId: $sixty) { nodes { title } }
        blue: keyboards(switchId: $blue) { nodes { title switch { title } } }
      }`,
      { variables: { sixty: boxTypes['60%'], blue: switches['MX Blue'] } },
    );
    expect(errors).toBeUndefined();
    expect(data!.boxes.totalCount).toBe(4);
    expect(data!.boxes.nodes.every((box) => box.isDefault && box.owner === null)).toBe(true);
    expect(data!.boxes.nodes.map((b) => b.boxType.title).sort()).toEqual(['100%', '40%', '60%', '75%']);
    expect(data!.kits.totalCount).toBe(4);
    expect(data!.keyboards.totalCount).toBe(4);
    expect(data!.sixty.nodes).toEqual([{ title: 'Бокс 60%' }]);
    expect(data!.blue.nodes).toEqual([{ title: 'Клавиатура 100%', switch: { title: 'MX Blue' } }]);
  });

  it('gives each default kit one keycap per key of its layout, paged by key name', async () => {
    const { data } = await stack.graphql<{
      kits: {
        nodes: { title: string; boxType: { keyCount: number }; keycaps: { totalCount: number; nodes: { title: string }[] } }[];
      };
    }>('{ kits { nodes { title boxType { keyCount } keycaps(first: 3) { totalCount nodes { title } } } } }');
    for (const kit of data!.kits.nodes) {
      expect(kit.keycaps.totalCount, kit.title).toBe(kit.boxType.keyCount);
      expect(kit.keycaps.nodes).toHaveLength(3);
    }
  });

  it('refuses to list MINE anonymously, and bad ids and cursors with BAD_USER_INPUT', async () => {
    expect(code(await stack.graphql('{ boxes(owner: MINE) { totalCount } }'))).toBe('UNAUTHENTICATED');
    const badId = await stack.graphql('{ kits(boxTypeId: "60") { totalCount } }');
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'boxTypeId' });
    expect(code(await stack.graphql('{ keyboards(after: "bm9wZQ") { totalCount } }'))).toBe('BAD_USER_INPUT');
    expect((await stack.graphql('{ box(id: "nope") { id } }')).data).toEqual({ box: null });
  });
});

const createBox = (token: string | undefined, input: Record<string, unknown>) =>
  stack.graphql<{ createBox: { box: { id: string; title: string; isDefault: boolean; owner: { id: string } | null } } }>(
    'mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { id title isDefault owner { id } } } }',
    { variables: { input }, token },
  );

describe('my boxes', () => {
  it('creates one, lists it as mine and on my profile, renames it, and deletes it', async () => {
    const created = await createBox(alice.token, { title: '  Мой бокс 60%  ', boxTypeId: boxTypes['60%'] });
    expect(created.errors).toBeUndefined();
    const box = created.data!.createBox.box;
    expect(box).toMatchObject({ title: 'Мой бокс 60%', isDefault: false, owner: { id: alice.globalId } });

    const mine = await stack.graphql<{ boxes: { nodes: { id: string }[] }; me: { boxes: { totalCount: number } } }>(
      '{ boxes(owner: MINE) { nodes { id } } me { boxes { totalCount } } }',
      { token: alice.token },
    );
    expect(mine.data?.boxes.nodes.map((b) => b.id)).toContain(box.id);
    expect(mine.data?.me.boxes.totalCount).toBeGreaterThanOrEqual(1);

    const renamed = await stack.graphql<{ renameBox: { box: { title: string } } }>(
      'mutation ($id: ID!) { renameBox(input: { id: $id, title: "Renamed box" }) { box { title } } }',
      { variables: { id: box.id }, token: alice.token },
    );
    expect(renamed.data?.renameBox.box.title).toBe('Renamed box');
    const deleted = await stack.graphql<{ deleteBox: { id: string } }>(
      'mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }',
      {
        variables: { id: box.id },
        token: alice.token,
      },
    );
    expect(deleted.data?.deleteBox.id).toBe(box.id);
    expect(await stack.keyboards.db.box.findUnique({ where: { id: uuid(box.id) } })).toBeNull();
  });

  it('refuses bad input, no token and a duplicate title, and changes nothing', async () => {
    const before = await stack.keyboards.db.box.count();
    expect((await createBox(alice.token, { title: 'ab', boxTypeId: boxTypes['60%'] })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'title',
    });
    expect(
      (await createBox(alice.token, { title: 'x'.repeat(65), boxTypeId: boxTypes['60%'] })).errors?.[0]?.extensions?.field,
    ).toBe('title');
    expect(
      (await createBox(alice.token, { title: 'Good title', boxTypeId: crypto.randomUUID() })).errors?.[0]?.extensions?.field,
    ).toBe('boxTypeId');
    expect(code(await createBox(undefined, { title: 'Good title', boxTypeId: boxTypes['60%'] }))).toBe('UNAUTHENTICATED');
    expect(await stack.keyboards.db.box.count()).toBe(before);

    await createBox(alice.token, { title: 'Only once', boxTypeId: boxTypes['40%'] });
    const duplicate = await createBox(alice.token, { title: 'Only once', boxTypeId: boxTypes['75%'] });
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'title' });
    // The same title is free for another user.
    expect((await createBox(bob.token, { title: 'Only once', boxTypeId: boxTypes['40%'] })).errors).toBeUndefined();
  });

  it('cannot be renamed or deleted by someone else, nor can a default box by a user: FORBIDDEN, nothing changes', async () => {
    const box = (await createBox(alice.token, { title: 'Alice private', boxTypeId: boxTypes['75%'] })).data!.createBox.box;
    const defaultBox = await stack.keyboards.db.box.findFirstOrThrow({ where: { ownerId: null } });
    for (const id of [box.id, defaultBox.id]) {
      const renamed = await stack.graphql(
        'mutation ($id: ID!) { renameBox(input: { id: $id, title: "Stolen" }) { box { id } } }',
        {
          variables: { id },
          token: bob.token,
          headers: { 'accept-language': 'ru' },
        },
      );
      expect(code(renamed)).toBe('FORBIDDEN');
      expect(renamed.errors?.[0]?.message).toMatch(/^Этот элемент принадлежит/);
      expect(
        code(
          await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
            variables: { id },
            token: bob.token,
          }),
        ),
      ).toBe('FORBIDDEN');
    }
    expect((await stack.keyboards.db.box.findUniqueOrThrow({ where: { id: uuid(box.id) } })).title).toBe('Alice private');
    expect((await stack.keyboards.db.box.findUniqueOrThrow({ where: { id: defaultBox.id } })).title).toBe(defaultBox.title);
    expect(
      code(
        await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
          variables: { id: crypto.randomUUID() },
          token: bob.token,
        }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      code(await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', { variables: { id: box.id } })),
    ).toBe('UNAUTHENTICATED');
  });

  it('lets only an administrator add to the default catalogue', async () => {
    expect(code(await createBox(alice.token, { title: 'Sneaky default', boxTypeId: boxTypes['60%'], asDefault: true }))).toBe(
      'FORBIDDEN',
    );
    const made = await createBox(admin.token, {
      title: `Admin default ${crypto.randomUUID().slice(0, 8)}`,
      boxTypeId: boxTypes['60%'],
      asDefault: true,
    });
    expect(made.data?.createBox.box).toMatchObject({ isDefault: true, owner: null });
    const removed = await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
      variables: { id: made.data!.createBox.box.id },
      token: admin.token,
    });
    expect(removed.errors).toBeUndefined();
  });
});

describe('my kits', () => {
  it('copies every keycap of the default kit of the box type, and deleting the kit deletes them', async () => {
    const made = await stack.graphql<{ createKit: { kit: { id: string; keycaps: { totalCount: number } } } }>(
      'mutation ($t: ID!) { createKit(input: { title: "My 40 set", boxTypeId: $t }) { kit { id keycaps { totalCount } } } }',
      { variables: { t: boxTypes['40%'] }, token: alice.token },
    );
    expect(made.errors).toBeUndefined();
    const defaultCount = await stack.keyboards.db.keycap.count({
      where: { kit: { ownerId: null, boxTypeId: uuid(boxTypes['40%']!) } },
    });
    expect(made.data!.createKit.kit.keycaps.totalCount).toBe(defaultCount);
    const kitId = made.data!.createKit.kit.id;
    expect(
      code(
        await stack.graphql('mutation ($id: ID!) { deleteKit(input: { id: $id }) { id } }', {
          variables: { id: kitId },
          token: bob.token,
        }),
      ),
    ).toBe('FORBIDDEN');
    await stack.graphql('mutation ($id: ID!) { deleteKit(input: { id: $id }) { id } }', {
      variables: { id: kitId },
      token: alice.token,
    });
    expect(await stack.keyboards.db.keycap.count({ where: { kitId: uuid(kitId) } })).toBe(0);
  });
});

describe('my keyboards', () => {
  it('names a box type and a switch that must exist, and lists with them in a constant number of SQL queries', async () => {
    const create = (input: Record<string, unknown>) =>
      stack.graphql<{ createKeyboard: { keyboard: { id: string; switch: { title: string }; boxType: { title: string } } } }>(
        'mutation ($input: CreateKeyboardInput!) { createKeyboard(input: $input) { keyboard { id switch { title } boxType { title } } } }',
        { variables: { input }, token: bob.token },
      );
    expect(
      (await create({ title: 'No such switch', boxTypeId: boxTypes['60%'], switchId: crypto.randomUUID() })).errors?.[0]
        ?.extensions?.field,
    ).toBe('switchId');
    const first = await create({ title: 'Board 0', boxTypeId: boxTypes['60%'], switchId: switches['MX Red'] });
    expect(first.data?.createKeyboard.keyboard).toMatchObject({ switch: { title: 'MX Red' }, boxType: { title: '60%' } });
    const titles = Object.keys(switches);
    const layouts = Object.keys(boxTypes);
    await stack.keyboards.db.keyboard.createMany({
      data: Array.from({ length: 59 }, (_, i) => ({
        ownerId: bob.id,
        title: `Board ${i + 1}`,
        boxTypeId: uuid(boxTypes[layouts[i % layouts.length]!]!),
        switchId: uuid(switches[titles[i % titles.length]!]!),
      })),
    });

    let queries = 0;
    const count = () => (queries += 1);
    stack.keyboards.db.$on('query', count);
    const page = await stack.graphql<{
      keyboards: { totalCount: number; nodes: { switch: { title: string }; boxType: { title: string } }[] };
    }>(
      '{ keyboards(owner: MINE, first: 50) { totalCount nodes { title switch { title } boxType { title keyCount } owner { id } } } }',
      { token: bob.token },
    );
    expect(page.errors).toBeUndefined();
    expect(page.data!.keyboards.totalCount).toBe(60);
    expect(page.data!.keyboards.nodes).toHaveLength(50);
    // The page, its count, one batch of switches and one of box types: never one query per keyboard.
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(queries).toBeLessThanOrEqual(4);
  });
});

describe('the list cache', () => {
  it('serves default lists from Redis and never a stale one after a change', async () => {
    const query = '{ boxes(first: 50) { totalCount nodes { id title } } }';
    const before = await stack.graphql<{ boxes: { totalCount: number } }>(query);
    const keys = await stack.keyboards.redis.keys('test-*:list:box:*');
    expect(keys.length).toBeGreaterThan(0);
    const made = await createBox(admin.token, {
      title: `Admin default cache ${crypto.randomUUID().slice(0, 8)}`,
      boxTypeId: boxTypes['40%'],
      asDefault: true,
    });
    const after = await stack.graphql<{ boxes: { totalCount: number; nodes: { id: string }[] } }>(query);
    expect(after.data!.boxes.totalCount).toBe(before.data!.boxes.totalCount + 1);
    expect(after.data!.boxes.nodes.map((b) => b.id)).toContain(made.data!.createBox.box.id);
    await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
      variables: { id: made.data!.createBox.box.id },
      token: admin.token,
    });
    const end = await stack.graphql<{ boxes: { totalCount: number } }>(query);
    expect(end.data!.boxes.totalCount).toBe(before.data!.boxes.totalCount);
  });
});

describe('activity events', () => {
  it('go to RabbitMQ for every view and edit, with visitor and user, without the request waiting', async () => {
    const queue = `test.activity.${crypto.randomUUID()}`;
    const received: { tag: string; userId: string | null; visitorId: string | null; itemId?: string }[] = [];
    const channel = stack.keyboards.broker.channel;
    await channel.assertQueue(queue, { exclusive: false, autoDelete: true, durable: false });
    await channel.bindQueue(queue, stack.statsExchange, '#');
    const { consumerTag } = await channel.consume(queue, (message) => {
      received.push(
        ...(JSON.parse(message.content.toString()) as StatsEventBatchV1).events.map((e) => e as (typeof received)[number]),
      );
      channel.ack(message);
    });
    try {
      const visitor = `visitor${crypto.randomUUID().replaceAll('-', '')}`;
      const made = await createBox(alice.token, {
        title: `Evented ${crypto.randomUUID().slice(0, 8)}`,
        boxTypeId: boxTypes['60%'],
      });
      const id = made.data!.createBox.box.id;
      await stack.graphql('query ($id: ID!) { box(id: $id) { id } keyboards { totalCount } switches { totalCount } }', {
        variables: { id },
        token: alice.token,
        headers: { 'x-visitor-id': visitor },
      });
      // Fields resolve concurrently, so the events of one query arrive in any order.
      await waitFor(() =>
        ['see_switch', 'see_box', 'see_keyboard'].every((tag) => received.some((e) => e.tag === tag && e.visitorId === visitor)),
      );
      expect(received).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ tag: 'edit_box', itemId: uuid(id), userId: alice.id }),
          expect.objectContaining({ tag: 'see_box', itemId: uuid(id), userId: alice.id, visitorId: visitor }),
          expect.objectContaining({ tag: 'see_keyboard', visitorId: visitor }),
        ]),
      );
    } finally {
      await channel.cancel(consumerTag);
      await channel.deleteQueue(queue);
    }
  });
});

describe('the item cache', () => {
  it('never serves a renamed or deleted item stale', async () => {
    const box = (await createBox(alice.token, { title: `Cached ${crypto.randomUUID().slice(0, 8)}`, boxTypeId: boxTypes['60%'] }))
      .data!.createBox.box;
    const read = () =>
      stack.graphql<{ box: { title: string } | null }>('query ($id: ID!) { box(id: $id) { title } }', {
        variables: { id: box.id },
      });
    expect((await read()).data?.box?.title).toBe(box.title);
    expect((await read()).data?.box?.title).toBe(box.title);
    await stack.graphql('mutation ($id: ID!) { renameBox(input: { id: $id, title: "Renamed in cache" }) { box { id } } }', {
      variables: { id: box.id },
      token: alice.token,
    });
    expect((await read()).data?.box?.title).toBe('Renamed in cache');
    await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
      variables: { id: box.id },
      token: alice.token,
    });
    expect((await read()).data?.box).toBeNull();
  });
});
