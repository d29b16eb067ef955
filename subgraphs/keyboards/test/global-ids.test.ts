import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGlobalId, toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([stack.createUser(), stack.createUser()]);
});

afterAll(async () => {
  const owners = [alice?.id, bob?.id].filter(Boolean);
  await stack.keyboards.db.keyboard.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.box.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.kit.deleteMany({ where: { ownerId: { in: owners } } });
  await stack?.close();
});

type Errors = { errors?: { path?: string[]; extensions?: Record<string, unknown> }[] };
const code = (response: Errors) => response.errors?.[0]?.extensions?.code;
const typeOf = (id: string) => fromGlobalId(id)?.type;
const uuid = (id: string) => fromGlobalId(id)!.id;

interface Catalogue {
  boxTypes: { id: string; title: string }[];
  switches: { nodes: { id: string; title: string }[] };
  kits: { nodes: { id: string; boxType: { id: string }; keycaps: { nodes: { id: string }[] } }[] };
  keyboards: { nodes: { id: string; switch: { id: string }; boxType: { id: string } }[] };
}

const catalogue = async () => {
  const answer = await stack.graphql<Catalogue>(`{
    boxTypes { id title }
    switches(first: 100) { nodes { id title } }
    kits(first: 1) { nodes { id boxType { id } keycaps(first: 2) { nodes { id } } } }
    keyboards(first: 1) { nodes { id switch { id } boxType { id } } }
  }`);
  expect(answer.errors).toBeUndefined();
  return answer.data!;
};

const createBox = (token: string | undefined, input: Record<string, unknown>) =>
  stack.graphql<{ createBox: { box: { id: string; title: string; owner: { id: string } | null } } | null }>(
    'mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { id title owner { id } } } }',
    { variables: { input }, token },
  );

const myBox = async (owner: TestUser, boxTypeId: string) => {
  const made = await createBox(owner.token, { title: `Box ${crypto.randomUUID().slice(0, 8)}`, boxTypeId });
  expect(made.errors).toBeUndefined();
  return made.data!.createBox!.box;
};

describe('global ids', () => {
  it('names every object of the catalogue by a global id of its type, the owner by a User id', async () => {
    const data = await catalogue();
    const [kit] = data.kits.nodes;
    const [keyboard] = data.keyboards.nodes;
    expect(data.boxTypes.map((row) => typeOf(row.id))).toEqual(data.boxTypes.map(() => 'BoxType'));
    expect(new Set(data.switches.nodes.map((row) => typeOf(row.id)))).toEqual(new Set(['Switch']));
    expect([typeOf(kit!.id), typeOf(kit!.boxType.id), typeOf(kit!.keycaps.nodes[0]!.id)]).toEqual(['Kit', 'BoxType', 'Keycap']);
    expect([typeOf(keyboard!.id), typeOf(keyboard!.switch.id)]).toEqual(['Keyboard', 'Switch']);

    const box = await myBox(alice, data.boxTypes[0]!.id);
    expect(typeOf(box.id)).toBe('Box');
    expect(box.owner).toEqual({ id: alice.globalId });
    // The id is the database row's, only encoded.
    expect(await stack.keyboards.db.box.findUnique({ where: { id: uuid(box.id) } })).toMatchObject({ ownerId: alice.id });
  });

  it('still takes the plain UUIDs the API gave out before, as arguments and input fields', async () => {
    const data = await catalogue();
    const sixty = data.boxTypes.find((row) => row.title === '60%')!;
    const box = await myBox(alice, uuid(sixty.id));
    for (const id of [box.id, uuid(box.id)]) {
      const read = await stack.graphql<{ box: { id: string } | null }>('query ($id: ID!) { box(id: $id) { id } }', {
        variables: { id },
      });
      expect(read.data?.box?.id).toBe(box.id);
    }
    const listed = await stack.graphql<{ global: { totalCount: number }; plain: { totalCount: number } }>(
      'query ($g: ID!, $p: ID!) { global: boxes(boxTypeId: $g) { totalCount } plain: boxes(boxTypeId: $p) { totalCount } }',
      { variables: { g: sixty.id, p: uuid(sixty.id) } },
    );
    expect(listed.data?.plain.totalCount).toBe(listed.data?.global.totalCount);
    const renamed = await stack.graphql<{ renameBox: { box: { id: string; title: string } } }>(
      'mutation ($id: ID!) { renameBox(input: { id: $id, title: "Renamed by UUID" }) { box { id title } } }',
      { variables: { id: uuid(box.id) }, token: alice.token },
    );
    expect(renamed.data?.renameBox.box).toEqual({ id: box.id, title: 'Renamed by UUID' });
  });

  it('refuses an id of another type: null where it is read, BAD_USER_INPUT naming the field where it is given', async () => {
    const data = await catalogue();
    const kitId = data.kits.nodes[0]!.id;
    expect((await stack.graphql('query ($id: ID!) { box(id: $id) { id } }', { variables: { id: kitId } })).data).toEqual({
      box: null,
    });
    const wrong = await createBox(alice.token, { title: 'Wrong type', boxTypeId: kitId });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'boxTypeId' });
    expect(wrong.data).toEqual({ createBox: null });
    const renamed = await stack.graphql('mutation ($id: ID!) { renameBox(input: { id: $id, title: "Nope" }) { box { id } } }', {
      variables: { id: kitId },
      token: alice.token,
    });
    expect(renamed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('gives deleted items back by their global id', async () => {
    const box = await myBox(alice, (await catalogue()).boxTypes[0]!.id);
    const deleted = await stack.graphql<{ deleteBox: { id: string } }>(
      'mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }',
      {
        variables: { id: box.id },
        token: alice.token,
      },
    );
    expect(deleted.data?.deleteBox.id).toBe(box.id);
  });
});

const NODE_FIELDS = `
  __typename id
  ... on BoxType { title }
  ... on Switch { title }
  ... on Box { title }
  ... on Kit { title }
  ... on Keycap { title }
  ... on Keyboard { title }
  ... on User { nickname }
`;

describe('node and nodes', () => {
  it('read every type back by its global id, a user with the fields of the users subgraph', async () => {
    const data = await catalogue();
    const box = await myBox(bob, data.boxTypes[0]!.id);
    const ids = [
      data.boxTypes[0]!.id,
      data.switches.nodes[0]!.id,
      box.id,
      data.kits.nodes[0]!.id,
      data.kits.nodes[0]!.keycaps.nodes[0]!.id,
      data.keyboards.nodes[0]!.id,
      bob.globalId,
    ];
    for (const id of ids) {
      const answer = await stack.graphql<{ node: { __typename: string; id: string } | null }>(
        `query ($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`,
        { variables: { id } },
      );
      expect(answer.errors, id).toBeUndefined();
      expect(answer.data?.node).toMatchObject({ __typename: typeOf(id), id });
    }
    const user = await stack.graphql<{ node: { nickname: string; boxes: { totalCount: number } } }>(
      'query ($id: ID!) { node(id: $id) { ... on User { nickname boxes { totalCount } } } }',
      { variables: { id: bob.globalId } },
    );
    expect(user.data?.node).toEqual({ nickname: bob.nickname, boxes: { totalCount: 1 } });
    // Only the users subgraph knows whether a user exists: the gateway drops the node it cannot complete.
    const nobody = await stack.graphql<{ node: null }>('query ($id: ID!) { node(id: $id) { id ... on User { nickname } } }', {
      variables: { id: toGlobalId('User', crypto.randomUUID()) },
    });
    expect(nobody.errors).toBeUndefined();
    expect(nobody.data).toEqual({ node: null });
  });

  it('answer nodes in the order asked, null for unknown, foreign and plain ids, in one query per type', async () => {
    const data = await catalogue();
    const box = await myBox(bob, data.boxTypes[1]!.id);
    const ids = [
      box.id,
      toGlobalId('Box', crypto.randomUUID()),
      data.boxTypes[0]!.id,
      toGlobalId('Session', crypto.randomUUID()),
      uuid(box.id),
      'not an id',
      data.boxTypes[1]!.id,
      box.id,
    ];
    let queries = 0;
    const count = () => (queries += 1);
    stack.keyboards.db.$on('query', count);
    const answer = await stack.graphql<{ nodes: ({ id: string } | null)[] }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      variables: { ids },
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.nodes).toEqual([
      { id: box.id },
      null,
      { id: data.boxTypes[0]!.id },
      null,
      null,
      null,
      { id: data.boxTypes[1]!.id },
      { id: box.id },
    ]);
    // One for the boxes, one for the box types.
    expect(queries).toBeLessThanOrEqual(2);
  });

  it('refuse more than 100 ids with BAD_USER_INPUT on nodes alone', async () => {
    const ids = Array.from({ length: 101 }, () => toGlobalId('Box', crypto.randomUUID()));
    const answer = await stack.graphql<{ nodes: null; boxTypes: unknown[] }>(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { id } boxTypes { id } }',
      { variables: { ids } },
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    expect(answer.data?.nodes).toBeNull();
    expect(answer.data?.boxTypes).toHaveLength(4);
    expect((await stack.graphql<{ nodes: unknown[] }>('{ nodes(ids: []) { id } }')).data?.nodes).toEqual([]);
  });
});

describe('partial answers', () => {
  it('gives UNAUTHENTICATED on owner: MINE alone when signed out; the rest of the answer stays', async () => {
    const answer = await stack.graphql<{ mine: null; boxes: { totalCount: number }; boxTypes: unknown[] }>(
      '{ mine: boxes(owner: MINE) { totalCount } boxes { totalCount } boxTypes { id } }',
    );
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]).toMatchObject({ path: ['mine'], extensions: { code: 'UNAUTHENTICATED' } });
    expect(answer.data?.mine).toBeNull();
    expect(answer.data?.boxes.totalCount).toBeGreaterThan(0);
    expect(answer.data?.boxTypes).toHaveLength(4);
  });
});

describe('replacing files', () => {
  it('refuses a replace that names no upload with BAD_USER_INPUT, and changes nothing', async () => {
    const data = await catalogue();
    const box = await myBox(alice, data.boxTypes[0]!.id);
    const before = await stack.keyboards.db.box.findUniqueOrThrow({ where: { id: uuid(box.id) } });
    const replaced = await stack.graphql('mutation ($id: ID!) { replaceBoxFiles(input: { id: $id }) { box { id } } }', {
      variables: { id: box.id },
      token: alice.token,
    });
    expect(replaced.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelUploadId' });
    expect(replaced.data).toEqual({ replaceBoxFiles: null });
    expect(await stack.keyboards.db.box.findUniqueOrThrow({ where: { id: uuid(box.id) } })).toEqual(before);

    const keyboard = await stack.graphql<{ createKeyboard: { keyboard: { id: string } } }>(
      'mutation ($t: ID!, $s: ID!) { createKeyboard(input: { title: "Empty replace", boxTypeId: $t, switchId: $s }) { keyboard { id } } }',
      { variables: { t: data.boxTypes[0]!.id, s: data.switches.nodes[0]!.id }, token: alice.token },
    );
    const keyboardId = keyboard.data!.createKeyboard.keyboard.id;
    const emptyKeyboard = await stack.graphql(
      'mutation ($id: ID!) { replaceKeyboardFiles(input: { id: $id, modelUploadId: null }) { keyboard { id } } }',
      { variables: { id: keyboardId }, token: alice.token },
    );
    expect(emptyKeyboard.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelUploadId' });

    const kit = await stack.graphql<{ createKit: { kit: { id: string } } }>(
      'mutation ($t: ID!) { createKit(input: { title: "Empty preview", boxTypeId: $t }) { kit { id } } }',
      { variables: { t: data.kits.nodes[0]!.boxType.id }, token: alice.token },
    );
    const emptyKit = await stack.graphql(
      'mutation ($input: ReplaceKitPreviewInput!) { replaceKitPreview(input: $input) { kit { id } } }',
      { variables: { input: { id: kit.data!.createKit.kit.id } }, token: alice.token },
    );
    expect(code(emptyKit)).toBe('BAD_USER_INPUT');
  });
});
