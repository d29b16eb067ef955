import DataLoader from 'dataloader';
import { errors } from '@keylab/errors';
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
  replaceFiles,
  replaceKeycapModel,
  type CreateInput,
  type ReplaceFilesInput,
  type ItemKind,
  type ListArgs,
} from './domain/catalogue';
import type { EmitActivity } from './domain/activity';
import type { ListCache } from './domain/cache';
import { deleteItem, isUuid, renameItem } from './domain/items';
import type { FileUrls } from './files';
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
    file: byIdLoader((ids) => db.storedFile.findMany({ where: { id: { in: ids } } })),
  };
}

export interface KeyboardsContext extends RequestContext {
  db: KeyboardsDb;
  loaders: ReturnType<typeof loaders>;
  cache: ListCache;
  emit: EmitActivity;
  fileUrls: FileUrls;
}

/** A file reference field: the stored file with its metadata, loaded in batches. */
const file =
  (column: 'modelId' | 'previewId' | 'soundId') =>
  (row: Partial<Record<typeof column, string | null>>, _: unknown, ctx: KeyboardsContext) => {
    const id = row[column];
    return id ? ctx.loaders.file.load(id) : null;
  };
const modelAndPreview = { model: file('modelId'), preview: file('previewId') };

type Row = { id: string; ownerId: string | null; boxTypeId: string };
type Input<T> = { input: T };

/** Fields every catalogue item shares. */
const itemFields = {
  ...modelAndPreview,
  boxType: (row: Row, _: unknown, ctx: KeyboardsContext) => ctx.loaders.boxType.load(row.boxTypeId),
  owner: (row: Row) => (row.ownerId ? { __typename: 'User', id: row.ownerId } : null),
  isDefault: (row: Row) => row.ownerId === null,
};

/** One item by id, cached like the lists (a change of its kind drops the cache). */
const byId = (kind: ItemKind) => async (_: unknown, args: { id: string }, ctx: KeyboardsContext) => {
  const item = await ctx.cache.read(kind, { id: args.id }, () => getItem(ctx.db, kind, args.id));
  if (item) ctx.emit(ctx, `see_${kind}`, item.id);
  return item;
};

/** Default lists are the hot ones: cached in Redis until the next change of their kind. */
const list = (kind: ItemKind) => (_: unknown, args: ListArgs, ctx: KeyboardsContext) => {
  ctx.emit(ctx, `see_${kind}`);
  const load = () => listItems(ctx.db, kind, args, ctx.viewer);
  return args.owner === 'MINE' ? load() : ctx.cache.read(kind, args, load);
};

const ofUser = (kind: ItemKind) => (user: { id: string }, args: PageArgs, ctx: KeyboardsContext) =>
  listItemsOf(ctx.db, kind, user.id, args);

/** After a change: the kind's cached lists are dropped and an edit event goes to statistics. */
async function changed<T extends { id: string }>(ctx: KeyboardsContext, kind: ItemKind, item: T): Promise<T> {
  await ctx.cache.invalidate(kind);
  ctx.emit(ctx, `edit_${kind}`, item.id);
  return item;
}

const rename =
  (kind: ItemKind) =>
  async (_: unknown, { input }: Input<{ id: string; title: string }>, ctx: KeyboardsContext) => ({
    [kind]: await changed(ctx, kind, await renameItem(delegates(ctx.db)[kind], ctx.viewer, input.id, input.title)),
  });
const replace =
  (kind: ItemKind) =>
  async (_: unknown, { input }: Input<ReplaceFilesInput>, ctx: KeyboardsContext) => ({
    [kind]: await changed(ctx, kind, await replaceFiles(ctx.db, kind, ctx.viewer, input)),
  });
const remove =
  (kind: ItemKind) =>
  async (_: unknown, { input }: Input<{ id: string }>, ctx: KeyboardsContext) => ({
    id: (await changed(ctx, kind, await deleteItem(delegates(ctx.db)[kind], ctx.viewer, input.id))).id,
  });

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    switches: (_: unknown, args: PageArgs, ctx: KeyboardsContext) => {
      ctx.emit(ctx, 'see_switch');
      return ctx.cache.read('switch', args, () => listSwitches(ctx.db, args));
    },
    switch: async (_: unknown, args: { id: string }, ctx: KeyboardsContext) => {
      const found = isUuid(args.id) ? await ctx.loaders.switch.load(args.id.toLowerCase()) : null;
      if (found) ctx.emit(ctx, 'see_switch', found.id);
      return found;
    },
    boxTypes: (_: unknown, __: unknown, ctx: KeyboardsContext) => listBoxTypes(ctx.db),
    boxes: list('box'),
    box: byId('box'),
    kits: list('kit'),
    kit: byId('kit'),
    keyboards: list('keyboard'),
    keyboard: byId('keyboard'),
    myUpload: async (_: unknown, args: { id: string }, ctx: KeyboardsContext) => {
      if (!ctx.viewer) throw errors.unauthenticated();
      if (!isUuid(args.id)) return null;
      return ctx.db.storedFile.findFirst({ where: { id: args.id.toLowerCase(), ownerId: ctx.viewer.userId } });
    },
  },
  Mutation: {
    createBox: async (_: unknown, { input }: Input<CreateInput>, ctx: KeyboardsContext) => ({
      box: await changed(ctx, 'box', await createBox(ctx.db, ctx.viewer, input)),
    }),
    renameBox: rename('box'),
    replaceBoxFiles: replace('box'),
    deleteBox: remove('box'),
    createKit: async (_: unknown, { input }: Input<CreateInput>, ctx: KeyboardsContext) => ({
      kit: await changed(ctx, 'kit', await createKit(ctx.db, ctx.viewer, input)),
    }),
    renameKit: rename('kit'),
    replaceKitPreview: replace('kit'),
    replaceKeycapModel: async (
      _: unknown,
      { input }: Input<{ keycapId: string; modelUploadId: string }>,
      ctx: KeyboardsContext,
    ) => {
      const keycap = await replaceKeycapModel(ctx.db, ctx.viewer, input);
      ctx.emit(ctx, 'edit_keycap', keycap.id);
      return { keycap };
    },
    deleteKit: remove('kit'),
    createKeyboard: async (_: unknown, { input }: Input<CreateInput & { switchId: string }>, ctx: KeyboardsContext) => ({
      keyboard: await changed(ctx, 'keyboard', await createKeyboard(ctx.db, ctx.viewer, input)),
    }),
    renameKeyboard: rename('keyboard'),
    replaceKeyboardFiles: replace('keyboard'),
    deleteKeyboard: remove('keyboard'),
  },
  Box: { ...itemFields, __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'box', ref.id) },
  Kit: {
    ...itemFields,
    __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'kit', ref.id),
    keycaps: (kit: { id: string }, args: PageArgs, ctx: KeyboardsContext) => {
      ctx.emit(ctx, 'see_keycap', kit.id);
      return listKeycaps(ctx.db, kit.id, args);
    },
  },
  Keyboard: {
    ...itemFields,
    __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => getItem(ctx.db, 'keyboard', ref.id),
    switch: (row: { switchId: string }, _: unknown, ctx: KeyboardsContext) => ctx.loaders.switch.load(row.switchId),
  },
  Keycap: { model: file('modelId') },
  FileInfo: {
    url: (row: Parameters<FileUrls['of']>[0], _: unknown, ctx: KeyboardsContext) => ctx.fileUrls.of(row),
    model: (row: { vertexCount: number | null; triangleCount: number | null; boundingBox: unknown }) =>
      row.vertexCount === null
        ? null
        : { vertexCount: row.vertexCount, triangleCount: row.triangleCount, boundingBox: row.boundingBox },
  },
  BoxType: { __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => ctx.loaders.boxType.load(ref.id) },
  Switch: {
    __resolveReference: (ref: { id: string }, ctx: KeyboardsContext) => ctx.loaders.switch.load(ref.id),
    ...modelAndPreview,
    sound: file('soundId'),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    keyboards: ofUser('keyboard'),
    boxes: ofUser('box'),
    kits: ofUser('kit'),
  },
};
