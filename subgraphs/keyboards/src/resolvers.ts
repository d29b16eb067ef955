import DataLoader from 'dataloader';
import { DateTimeScalar, type RequestContext } from '@keylab/server';
import type { KeyboardsDb } from './db/client';
import {
  createBox,
  createKeyboard,
  createKit,
  delegates,
  getItem,
  listBoxTypes,
  listItems,
  listItemsOf,
  listKeycaps,
  listSwitches,
  type CreateInput,
  type ItemKind,
  type ListArgs,
} from './domain/catalogue';
import type { EmitActivity } from './domain/activity';
import type { ListCache } from './domain/cache';
import { deleteItem, isUuid, renameItem } from './domain/items';
import type { PageArgs } from './domain/pagination';

/** Loads rows by id in one query per batch, in the order asked. */
function byIdLoader<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await load([...ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

export function loaders(db: KeyboardsDb) {
  return {
    boxType: byIdLoader((ids) => db.boxType.findMany({ where: { id: { in: ids } } })),
    switch: byIdLoader((ids) => db.switch.findMany({ where: { id: { in: ids } } })),
  };
}

export interface KeyboardsContext extends RequestContext {
  db: KeyboardsDb;
  loaders: ReturnType<typeof loaders>;
  cache: ListCache;
  emit: EmitActivity;
}

type Row = { id: string; ownerId: string | null; boxTypeId: string };
type Input<T> = { input: T };

/** Fields every catalogue item shares. */
const itemFields = {
  boxType: (row: Row, _: unknown, ctx: KeyboardsContext) => ctx.loaders.boxType.load(row.boxTypeId),
  owner: (row: Row) => (row.ownerId ? { __typename: 'User', id: row.ownerId } : null),
  isDefault: (row: Row) => row.ownerId === null,
};

const byId = (kind: ItemKind) => async (_: unknown, args: { id: string }, ctx: KeyboardsContext) => {
  const item = await getItem(ctx.db, kind, args.id);
  if (item) ctx.emit(ctx, `see_${kind}`, item.id);
  return item;
};

/** Default lists are the hot ones: cached in Redis until the next change of their kind. */
const list = (kind: ItemKind) => (_: unknown, args: ListArgs, ctx: KeyboardsContext) => {
  ctx.emit(ctx, `see_${kind}`);
  const load = () => listItems(ctx.db, kind, args, ctx.locale, ctx.viewer);
  return args.owner === 'MINE' ? load() : ctx.cache.read(kind, args, load);
};

const ofUser = (kind: ItemKind) => (user: { id: string }, args: PageArgs, ctx: KeyboardsContext) =>
  listItemsOf(ctx.db, kind, user.id, args, ctx.locale);

/** After a change: the kind's cached lists are dropped and an edit event goes to statistics. */
async function changed<T extends { id: string }>(ctx: KeyboardsContext, kind: ItemKind, item: T): Promise<T> {
  await ctx.cache.invalidate(kind);
  ctx.emit(ctx, `edit_${kind}`, item.id);
  return item;
}

const rename =
  (kind: ItemKind) =>
  async (_: unknown, { input }: Input<{ id: string; title: string }>, ctx: KeyboardsContext) => ({
    [kind]: await changed(ctx, kind, await renameItem(delegates(ctx.db)[kind], ctx.locale, ctx.viewer, input.id, input.title)),
  });
const remove =
  (kind: ItemKind) =>
  async (_: unknown, { input }: Input<{ id: string }>, ctx: KeyboardsContext) => ({
    id: (await changed(ctx, kind, await deleteItem(delegates(ctx.db)[kind], ctx.locale, ctx.viewer, input.id))).id,
  });

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    switches: (_: unknown, args: PageArgs, ctx: KeyboardsContext) => {
      ctx.emit(ctx, 'see_switch');
      return ctx.cache.read('switch', args, () => listSwitches(ctx.db, args, ctx.locale));
    },
    switch: (_: unknown, args: { id: string }, ctx: KeyboardsContext) =>
      isUuid(args.id) ? ctx.loaders.switch.load(args.id.toLowerCase()) : null,
    boxTypes: (_: unknown, __: unknown, ctx: KeyboardsContext) => listBoxTypes(ctx.db),
    boxes: list('box'),
    box: byId('box'),
    kits: list('kit'),
    kit: byId('kit'),
    keyboards: list('keyboard'),
    keyboard: byId('keyboard'),
  },
  Mutation: {
    createBox: async (_: unknown, { input }: Input<CreateInput>, ctx: KeyboardsContext) => ({
      box: await changed(ctx, 'box', await createBox(ctx.db, ctx.locale, ctx.viewer, input)),
    }),
    renameBox: rename('box'),
    deleteBox: remove('box'),
    createKit: async (_: unknown, { input }: Input<CreateInput>, ctx: KeyboardsContext) => ({
      kit: await changed(ctx, 'kit', await createKit(ctx.db, ctx.locale, ctx.viewer, input)),
    }),
    renameKit: rename('kit'),
    deleteKit: remove('kit'),
    createKeyboard: async (_: unknown, { input }: Input<CreateInput & { switchId: string }>, ctx: KeyboardsContext) => ({
      keyboard: await changed(ctx, 'keyboard', await createKeyboard(ctx.db, ctx.locale, ctx.viewer, input)),
    }),
    renameKeyboard: rename('keyboard'),
    deleteKeyboard: remove('keyboard'),
  },
  Box: { ...itemFields, __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'box', ref.id) },
  Kit: {
    ...itemFields,
    __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'kit', ref.id),
    keycaps: (kit: { id: string }, args: PageArgs, ctx: KeyboardsContext) => {
      ctx.emit(ctx, 'see_keycap', kit.id);
      return listKeycaps(ctx.db, kit.id, args, ctx.locale);
    },
  },
  Keyboard: {
    ...itemFields,
    __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'keyboard', ref.id),
    switch: (row: { switchId: string }, _: unknown, ctx: KeyboardsContext) => ctx.loaders.switch.load(row.switchId),
  },
  BoxType: { __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => ctx.loaders.boxType.load(ref.id) },
  Switch: { __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => ctx.loaders.switch.load(ref.id) },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    keyboards: ofUser('keyboard'),
    boxes: ofUser('box'),
    kits: ofUser('kit'),
  },
};
