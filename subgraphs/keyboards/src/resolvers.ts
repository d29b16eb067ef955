import { DateTimeScalar, idOf, toGlobalId, URLScalar, uuidOf, type CompleteResolvers } from '@keylab/server';
import type {
  BoxResolvers,
  BoxTypeResolvers,
  FileInfoResolvers,
  KeyboardResolvers,
  KeycapResolvers,
  KitResolvers,
  MutationResolvers,
  NodeResolvers,
  QueryResolvers,
  Resolvers,
  SwitchResolvers,
  UserResolvers,
} from './__generated__/resolvers-types';
import type { KeyboardsContext } from './context';
import {
  createBox,
  createKeyboard,
  createKit,
  deleteItem,
  getItem,
  listBoxTypes,
  listItems,
  listItemsOf,
  listKeycaps,
  listSwitches,
  renameItem,
  replaceFiles,
  replaceKeycapModel,
  type ItemKind,
  type ListArgs,
} from './domain/catalogue';
import type { BoxRow, BoxTypeRow, KeyboardRow, KeycapRow, KitRow, SwitchRow } from './domain/rows';
import { modelInfoOf, myUpload, type StoredFileRow } from './domain/stored-files';
import { decodedFilters, fromReference, globalId, ITEM_TYPES, itemId, withBoxType, withItemId } from './global-ids';
import { startsAtAnEnd } from './domain/pagination';
import type { UserRef } from './mappers';
import { loadNode, seeNode, seeNodes, typenameOf } from './nodes';

/** A file field: the stored file with its metadata, loaded in batches. */
const fileById = (ctx: KeyboardsContext, id: string | null) => (id ? ctx.loaders.file.load(id) : null);

/** A row that another names by foreign key, so the database guarantees it is there. */
async function referenced<T>(row: Promise<T | null>, what: string): Promise<T> {
  const found = await row;
  if (!found) throw new Error(`${what} named by a foreign key is missing`);
  return found;
}

const ownerOf = (item: { ownerId: string | null }): UserRef | null => (item.ownerId ? { id: item.ownerId } : null);
const boxTypeOf = (item: { boxTypeId: string }, ctx: KeyboardsContext) =>
  referenced(ctx.loaders.boxType.load(item.boxTypeId), `box type ${item.boxTypeId}`);

/** One item by id, cached like the lists (a change of its kind drops the cache); null for another type's id. */
async function seeItem<K extends ItemKind>(ctx: KeyboardsContext, kind: K, rawId: string) {
  const id = uuidOf(ITEM_TYPES[kind], rawId);
  if (!id) return null;
  const item = await ctx.cache.read(kind, { id }, () => getItem(ctx.db, kind, id));
  if (item) ctx.emit(`see_${kind}`, item.id);
  return item;
}

/** Default lists are the hot ones: cached in Redis until the next change of their kind. */
function seeList<K extends ItemKind>(ctx: KeyboardsContext, kind: K, args: ListArgs) {
  ctx.emit(`see_${kind}`);
  const load = () => listItems(ctx.db, kind, args, ctx.viewer);
  return args.owner === 'MINE' ? load() : ctx.cache.read(kind, args, load);
}

/** After a change: the kind's cached lists are dropped and an edit event goes to statistics. */
async function changed<T extends { id: string }>(ctx: KeyboardsContext, kind: ItemKind, item: T): Promise<T> {
  await ctx.cache.invalidate(kind);
  ctx.emit(`edit_${kind}`, item.id);
  return item;
}

const Query: Required<QueryResolvers> = {
  myUpload: (_, { id }, ctx) => myUpload(ctx.db, ctx.viewer, id),
  switches: (_, args, ctx) => {
    ctx.emit('see_switch');
    return ctx.cache.read('switch', args, () => listSwitches(ctx.db, args));
  },
  switch: async (_, { id }, ctx) => {
    const uuid = uuidOf('Switch', id);
    const found = uuid ? await ctx.loaders.switch.load(uuid) : null;
    if (found) ctx.emit('see_switch', found.id);
    return found;
  },
  boxTypes: (_, __, ctx) => listBoxTypes(ctx.db),
  boxes: (_, args, ctx) => seeList(ctx, 'box', decodedFilters(args)),
  box: (_, { id }, ctx) => seeItem(ctx, 'box', id),
  kits: (_, args, ctx) => seeList(ctx, 'kit', decodedFilters(args)),
  kit: (_, { id }, ctx) => seeItem(ctx, 'kit', id),
  keyboards: (_, args, ctx) => seeList(ctx, 'keyboard', decodedFilters(args)),
  keyboard: (_, { id }, ctx) => seeItem(ctx, 'keyboard', id),
  node: (_, { id }, ctx) => seeNode(ctx, id),
  nodes: (_, { ids }, ctx) => seeNodes(ctx, ids),
};

async function deleted(ctx: KeyboardsContext, kind: ItemKind, rawId: string) {
  const item = await changed(ctx, kind, await deleteItem(ctx.db, kind, ctx.viewer, itemId(kind, rawId)));
  return { id: toGlobalId(ITEM_TYPES[kind], item.id) };
}

const Mutation: Required<MutationResolvers> = {
  createBox: async (_, { input }, ctx) => ({
    box: await changed(ctx, 'box', await createBox(ctx.db, ctx.viewer, withBoxType(input))),
  }),
  renameBox: async (_, { input }, ctx) => ({
    box: await changed(ctx, 'box', await renameItem(ctx.db, 'box', ctx.viewer, withItemId('box', input))),
  }),
  replaceBoxFiles: async (_, { input }, ctx) => ({
    box: await changed(ctx, 'box', await replaceFiles(ctx.db, 'box', ctx.viewer, withItemId('box', input))),
  }),
  deleteBox: (_, { input }, ctx) => deleted(ctx, 'box', input.id),
  createKit: async (_, { input }, ctx) => ({
    kit: await changed(ctx, 'kit', await createKit(ctx.db, ctx.viewer, withBoxType(input))),
  }),
  renameKit: async (_, { input }, ctx) => ({
    kit: await changed(ctx, 'kit', await renameItem(ctx.db, 'kit', ctx.viewer, withItemId('kit', input))),
  }),
  replaceKitPreview: async (_, { input }, ctx) => ({
    kit: await changed(ctx, 'kit', await replaceFiles(ctx.db, 'kit', ctx.viewer, withItemId('kit', input))),
  }),
  replaceKeycapModel: async (_, { input }, ctx) => {
    const keycapId = idOf('Keycap', input.keycapId, 'keycapId');
    const keycap = await replaceKeycapModel(ctx.db, ctx.viewer, { ...input, keycapId });
    ctx.emit('edit_keycap', keycap.id);
    return { keycap };
  },
  deleteKit: (_, { input }, ctx) => deleted(ctx, 'kit', input.id),
  createKeyboard: async (_, { input }, ctx) => {
    const switchId = idOf('Switch', input.switchId, 'switchId');
    const keyboard = await createKeyboard(ctx.db, ctx.viewer, { ...withBoxType(input), switchId });
    return { keyboard: await changed(ctx, 'keyboard', keyboard) };
  },
  renameKeyboard: async (_, { input }, ctx) => ({
    keyboard: await changed(ctx, 'keyboard', await renameItem(ctx.db, 'keyboard', ctx.viewer, withItemId('keyboard', input))),
  }),
  replaceKeyboardFiles: async (_, { input }, ctx) => ({
    keyboard: await changed(ctx, 'keyboard', await replaceFiles(ctx.db, 'keyboard', ctx.viewer, withItemId('keyboard', input))),
  }),
  deleteKeyboard: (_, { input }, ctx) => deleted(ctx, 'keyboard', input.id),
};

const Box: CompleteResolvers<BoxResolvers, BoxRow> = {
  __resolveReference: (ref, ctx) => fromReference('Box', ref.id, (id) => ctx.loaders.box.load(id)),
  id: globalId('Box'),
  boxType: (box, _, ctx) => boxTypeOf(box, ctx),
  owner: ownerOf,
  isDefault: (box) => box.ownerId === null,
  model: (box, _, ctx) => fileById(ctx, box.modelId),
  preview: (box, _, ctx) => fileById(ctx, box.previewId),
};

const Kit: CompleteResolvers<KitResolvers, KitRow> = {
  __resolveReference: (ref, ctx) => fromReference('Kit', ref.id, (id) => ctx.loaders.kit.load(id)),
  id: globalId('Kit'),
  boxType: (kit, _, ctx) => boxTypeOf(kit, ctx),
  owner: ownerOf,
  isDefault: (kit) => kit.ownerId === null,
  preview: (kit, _, ctx) => fileById(ctx, kit.previewId),
  keycaps: (kit, args, ctx) => {
    ctx.emit('see_keycap', kit.id);
    return startsAtAnEnd(args) ? ctx.loaders.keycapPages(kit.id, args) : listKeycaps(ctx.db, kit.id, args);
  },
};

const Keyboard: CompleteResolvers<KeyboardResolvers, KeyboardRow> = {
  __resolveReference: (ref, ctx) => fromReference('Keyboard', ref.id, (id) => ctx.loaders.keyboard.load(id)),
  id: globalId('Keyboard'),
  boxType: (keyboard, _, ctx) => boxTypeOf(keyboard, ctx),
  switch: (keyboard, _, ctx) => referenced(ctx.loaders.switch.load(keyboard.switchId), `switch ${keyboard.switchId}`),
  owner: ownerOf,
  isDefault: (keyboard) => keyboard.ownerId === null,
  model: (keyboard, _, ctx) => fileById(ctx, keyboard.modelId),
  preview: (keyboard, _, ctx) => fileById(ctx, keyboard.previewId),
};

const Keycap: CompleteResolvers<KeycapResolvers, KeycapRow> = {
  __resolveReference: (ref, ctx) => fromReference('Keycap', ref.id, (id) => ctx.loaders.keycap.load(id)),
  id: globalId('Keycap'),
  model: (keycap, _, ctx) => fileById(ctx, keycap.modelId),
};

const FileInfo: CompleteResolvers<FileInfoResolvers, StoredFileRow> = {
  url: (file, _, ctx) => ctx.fileUrls.of(file),
  model: modelInfoOf,
};

const BoxType: CompleteResolvers<BoxTypeResolvers, BoxTypeRow> = {
  __resolveReference: (ref, ctx) => fromReference('BoxType', ref.id, (id) => ctx.loaders.boxType.load(id)),
  id: globalId('BoxType'),
};

const Switch: CompleteResolvers<SwitchResolvers, SwitchRow> = {
  __resolveReference: (ref, ctx) => fromReference('Switch', ref.id, (id) => ctx.loaders.switch.load(id)),
  id: globalId('Switch'),
  model: (row, _, ctx) => fileById(ctx, row.modelId),
  sound: (row, _, ctx) => fileById(ctx, row.soundId),
  preview: (row, _, ctx) => fileById(ctx, row.previewId),
};

/** Any user the users subgraph names: this one holds only what they made, by their UUID. */
const User: CompleteResolvers<UserResolvers, UserRef> = {
  __resolveReference: (ref) => fromReference('User', ref.id, async (id) => ({ id })),
  id: globalId('User'),
  keyboards: (user, args, ctx) => listItemsOf(ctx.db, 'keyboard', user.id, decodedFilters(args)),
  boxes: (user, args, ctx) => listItemsOf(ctx.db, 'box', user.id, decodedFilters(args)),
  kits: (user, args, ctx) => listItemsOf(ctx.db, 'kit', user.id, decodedFilters(args)),
};

const Node: NodeResolvers = {
  __resolveType: typenameOf,
  __resolveReference: (ref, ctx) => loadNode(ctx, ref.id),
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  URL: URLScalar,
  Query,
  Mutation,
  Box,
  Kit,
  Keyboard,
  Keycap,
  FileInfo,
  BoxType,
  Switch,
  User,
  Node,
};
