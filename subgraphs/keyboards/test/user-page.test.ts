import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { toGlobalId } from '@keylab/server';

let stack: Stack;
let owner: TestUser;
let keyboardId: string;

/** A user's page as the frontend shows it: a keyboard, its owner's 50 keyboards, 10 boxes, 5 kits with their keycaps. */
const USER_PAGE = `query ($id: ID!, $first: Int!, $kits: Int!) {
  keyboard(id: $id) {
    id title
    owner {
      nickname
      keyboards(first: $first) {
        totalCount
        nodes { id title boxType { title keyCount } switch { title sound { url byteSize } } preview { url sha256 } owner { nickname } }
      }
      boxes(first: 10) { totalCount nodes { id title boxType { title } model { url } preview { url } } }
      kits(first: $kits) {
        totalCount
        nodes { id title boxType { title } preview { url } keycaps(first: 20) { totalCount nodes { id title model { url byteSize } } } }
      }
    }
  }
}`;

beforeAll(async () => {
  stack = await startStack();
  owner = await stack.createUser();
  const db = stack.keyboards.db;
  const where = { ownerId: null };
  const [keyboards, boxes, kits] = await Promise.all([
    db.keyboard.findMany({ where, orderBy: { id: 'asc' } }),
    db.box.findMany({ where, orderBy: { id: 'asc' } }),
    db.kit.findMany({ where, orderBy: { id: 'asc' }, include: { keycaps: true } }),
  ]);
  const copy = <T extends { boxTypeId: string; previewId: string | null }>(rows: T[], i: number, kind: string) => {
    const from = rows[i % rows.length]!;
    return {
      from,
      data: { ownerId: owner.id, title: `Page ${kind} ${i}`, boxTypeId: from.boxTypeId, previewId: from.previewId },
    };
  };
  for (let i = 0; i < 50; i++) {
    const { from, data } = copy(keyboards, i, 'keyboard');
    const made = await db.keyboard.create({ data: { ...data, switchId: from.switchId, modelId: from.modelId } });
    keyboardId ??= made.id;
  }
  for (let i = 0; i < 10; i++) {
    const { from, data } = copy(boxes, i, 'box');
    await db.box.create({ data: { ...data, modelId: from.modelId } });
  }
  for (let i = 0; i < 5; i++) {
    const { from, data } = copy(kits, i, 'kit');
    const keycaps = from.keycaps.map(({ title, fileName, modelId }) => ({ title, fileName, modelId }));
    await db.kit.create({ data: { ...data, keycaps: { create: keycaps } } });
  }
});

afterAll(async () => {
  const where = { ownerId: owner?.id };
  await stack.keyboards.db.keyboard.deleteMany({ where });
  await stack.keyboards.db.box.deleteMany({ where });
  await stack.keyboards.db.kit.deleteMany({ where });
  await stack?.close();
});

describe("a user's page", () => {
  it('is answered with a fixed number of SQL queries, however many items it shows', async () => {
    let queries = 0;
    stack.keyboards.db.$on('query', () => (queries += 1));
    const counted = async (first: number, kits: number) => {
      queries = 0;
      await show(first, kits);
      return queries;
    };
    await show(50, 5);
    // Each list with its count, the keycaps of every kit together, and batches of box types, switches and files:
    // never one per item (how the batches fall depends on when the lists come back, so one more or less).
    const [few, many] = [await counted(5, 1), await counted(50, 5)];
    expect(Math.abs(many - few)).toBeLessThanOrEqual(2);
    expect(many).toBeLessThanOrEqual(18);
    console.log(`a user's page: ${many} SQL queries for 50 keyboards and 5 kits, ${few} for 5 and 1`);
  });
});

async function show(first: number, kitCount: number) {
  const page = await stack.graphql<{
    keyboard: {
      owner: {
        nickname: string;
        keyboards: { totalCount: number; nodes: { switch: { title: string }; owner: { nickname: string } }[] };
        kits: { nodes: { keycaps: { totalCount: number; nodes: unknown[] } }[] };
      };
    };
  }>(USER_PAGE, { variables: { id: toGlobalId('Keyboard', keyboardId), first, kits: kitCount } });
  expect(page.errors).toBeUndefined();
  const { keyboards, kits } = page.data!.keyboard.owner;
  expect(keyboards.totalCount).toBe(50);
  expect(keyboards.nodes).toHaveLength(first);
  expect(keyboards.nodes.every((node) => node.owner.nickname === owner.nickname && node.switch.title)).toBe(true);
  expect(kits.nodes).toHaveLength(kitCount);
  expect(kits.nodes.map((kit) => kit.keycaps.nodes.length)).toEqual(
    kits.nodes.map((kit) => Math.min(20, kit.keycaps.totalCount)),
  );
}
