import type { Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import type { KeyboardsDb } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { isUuid, validId } from './ids';
import {
  itemById,
  itemToChange,
  newItemOwner,
  ownerFilter,
  validTitle,
  withUniqueTitle,
  type ItemDelegate,
  type Owner,
} from './items';
import { BY_TITLE, NEWEST_FIRST, type ListOrder } from './list-order';
import { emptyPage, keysetPage, pagesAtAnEnd, type Connection, type PageArgs } from './pagination';
import { titleSearch } from './title-search';
import type { BoxRow, KeyboardRow, KeycapRow, KitRow } from './rows';
import { claimAttachments, uploadToAttach, type Attachment } from './stored-files';

/** The client, or a transaction of it. */
type Db = Prisma.TransactionClient;

/** The arguments every catalogue list takes: Relay paging, an order (its default when null) and a title search. */
export interface ListQueryArgs extends PageArgs {
  orderBy?: ListOrder | null;
  search?: string | null;
}

/** Switch types, by title unless asked otherwise. */
export function listSwitches(db: KeyboardsDb, args: ListQueryArgs) {
  const order = args.orderBy ?? BY_TITLE;
  return keysetPage(db.switch, { list: 'switch', where: titleSearch(args.search), order, args });
}

export function listBoxTypes(db: KeyboardsDb) {
  return db.boxType.findMany({ orderBy: [{ keyCount: 'desc' }, { title: 'asc' }] });
}

/** The row of each kind of catalogue item. */
export interface ItemRows {
  box: BoxRow;
  kit: KitRow;
  keyboard: KeyboardRow;
}

export type ItemKind = keyof ItemRows;

const delegates = (db: Db): { [K in ItemKind]: ItemDelegate<ItemRows[K]> } => ({
  box: db.box,
  kit: db.kit,
  keyboard: db.keyboard,
});

const delegateOf = <K extends ItemKind>(db: Db, kind: K): ItemDelegate<ItemRows[K]> => delegates(db)[kind];

/** The filters of an item list (switchId for keyboards only). */
export interface ItemFilterArgs extends ListQueryArgs {
  boxTypeId?: string | null;
  switchId?: string | null;
}

export interface ListArgs extends ItemFilterArgs {
  owner?: Owner | null;
}

/** Box type, switch (keyboards) and title search, on top of whose items a list shows. */
function itemFilter(kind: ItemKind, args: ItemFilterArgs): Record<string, unknown> {
  const where: Record<string, unknown> = titleSearch(args.search);
  if (args.boxTypeId != null) where.boxTypeId = validId('boxTypeId', args.boxTypeId);
  if (args.switchId != null && kind === 'keyboard') where.switchId = validId('switchId', args.switchId);
  return where;
}

const itemPage = (kind: ItemKind, where: object, args: ItemFilterArgs) => ({
  list: kind,
  where,
  order: args.orderBy ?? NEWEST_FIRST,
  args,
});

/** Default items or mine, optionally of one box type (and for keyboards of one switch), newest first by default. */
export function listItems<K extends ItemKind>(db: KeyboardsDb, kind: K, args: ListArgs, viewer: Viewer | null) {
  // Signing in is checked first: MINE without a token is UNAUTHENTICATED whatever else is wrong.
  const owner = ownerFilter(viewer, args.owner);
  const where = { ...itemFilter(kind, args), ...owner };
  return keysetPage(delegateOf(db, kind), itemPage(kind, where, args));
}

/** Everything one user made of a kind, with the filters of the root lists (anyone may look: items are shared by link). */
export async function listItemsOf<K extends ItemKind>(
  db: KeyboardsDb,
  kind: K,
  ownerId: string,
  args: ItemFilterArgs,
): Promise<Connection<ItemRows[K]>> {
  const where = { ...itemFilter(kind, args), ownerId };
  if (!isUuid(ownerId)) return emptyPage(itemPage(kind, where, args));
  return keysetPage(delegateOf(db, kind), itemPage(kind, where, args));
}

export const getItem = <K extends ItemKind>(db: KeyboardsDb, kind: K, id: string) => itemById(delegateOf(db, kind), id);

export async function renameItem<K extends ItemKind>(
  db: KeyboardsDb,
  kind: K,
  viewer: Viewer | null,
  input: { id: string; title: string },
): Promise<ItemRows[K]> {
  const delegate = delegateOf(db, kind);
  const title = validTitle(input.title);
  const item = await itemToChange(delegate, viewer, input.id);
  return withUniqueTitle(() => delegate.update({ where: { id: item.id }, data: { title } }));
}

export async function deleteItem<K extends ItemKind>(db: KeyboardsDb, kind: K, viewer: Viewer | null, id: string) {
  const delegate = delegateOf(db, kind);
  const item = await itemToChange(delegate, viewer, id);
  return delegate.delete({ where: { id: item.id } });
}

async function existing(field: string, id: string, find: (id: string) => Promise<unknown>): Promise<string> {
  const valid = validId(field, id);
  if (!(await find(valid))) throw errors.badInput(field, 'input.id');
  return valid;
}

export interface CreateInput {
  title: string;
  boxTypeId: string;
  asDefault?: boolean | null;
  modelUploadId?: string | null;
  previewUploadId?: string | null;
}

interface Attachments {
  files: { modelId?: string; previewId?: string };
  claims: Attachment[];
}

/** Upload ids of the input resolved to stored files the viewer may attach (BAD_USER_INPUT otherwise). */
async function attachments(
  db: KeyboardsDb,
  viewer: Viewer | null,
  input: { modelUploadId?: string | null; previewUploadId?: string | null },
): Promise<Attachments> {
  if (!viewer) throw errors.unauthenticated();
  const claims: Attachment[] = [];
  const resolve = async (field: string, uploadId: string | null | undefined, kind: Attachment['kind']) => {
    const id = await uploadToAttach(db, viewer, field, uploadId, kind);
    if (id) claims.push({ field, kind, id });
    return id;
  };
  return {
    files: {
      modelId: await resolve('modelUploadId', input.modelUploadId, 'model'),
      previewId: await resolve('previewUploadId', input.previewUploadId, 'preview'),
    },
    claims,
  };
}

/** Claims the uploads and runs the item's write in one transaction: a refused write leaves the uploads as they were. */
function attachedWith<T>(db: KeyboardsDb, { claims }: Attachments, write: (tx: Db) => Promise<T>): Promise<T> {
  if (!claims.length) return write(db);
  return db.$transaction(async (tx) => {
    await claimAttachments(tx, claims);
    return write(tx);
  });
}

export async function createBox(db: KeyboardsDb, viewer: Viewer | null, input: CreateInput) {
  const ownerId = newItemOwner(viewer, input.asDefault);
  const title = validTitle(input.title);
  const boxTypeId = await existing('boxTypeId', input.boxTypeId, (id) => db.boxType.findUnique({ where: { id } }));
  const attached = await attachments(db, viewer, input);
  return attachedWith(db, attached, (tx) =>
    withUniqueTitle(() => tx.box.create({ data: { ownerId, title, boxTypeId, ...attached.files } })),
  );
}

export async function createKeyboard(db: KeyboardsDb, viewer: Viewer | null, input: CreateInput & { switchId: string }) {
  const ownerId = newItemOwner(viewer, input.asDefault);
  const title = validTitle(input.title);
  const boxTypeId = await existing('boxTypeId', input.boxTypeId, (id) => db.boxType.findUnique({ where: { id } }));
  const switchId = await existing('switchId', input.switchId, (id) => db.switch.findUnique({ where: { id } }));
  const attached = await attachments(db, viewer, input);
  return attachedWith(db, attached, (tx) =>
    withUniqueTitle(() => tx.keyboard.create({ data: { ownerId, title, boxTypeId, switchId, ...attached.files } })),
  );
}

/** A new kit gets a copy of every keycap of the default kit of its box type, as the original did. */
export async function createKit(db: KeyboardsDb, viewer: Viewer | null, input: CreateInput) {
  const ownerId = newItemOwner(viewer, input.asDefault);
  const title = validTitle(input.title);
  const boxTypeId = await existing('boxTypeId', input.boxTypeId, (id) => db.boxType.findUnique({ where: { id } }));
  const template = await db.kit.findFirst({
    where: { ownerId: null, boxTypeId },
    orderBy: { createdAt: 'asc' },
    include: { keycaps: true },
  });
  if (!template && ownerId !== null) throw errors.badField('boxTypeId', 'catalogue.noDefaultKit');
  const attached = await attachments(db, viewer, { previewUploadId: input.previewUploadId });
  return attachedWith(db, attached, (tx) =>
    withUniqueTitle(() =>
      tx.kit.create({
        data: {
          ownerId,
          title,
          boxTypeId,
          previewId: attached.files.previewId ?? template?.previewId,
          keycaps: { create: (template?.keycaps ?? []).map(({ title, fileName, modelId }) => ({ title, fileName, modelId })) },
        },
      }),
    ),
  );
}

export const KEYCAP_PAGE_SIZE = 100;

/** A kit's keycaps, by key name unless asked otherwise; a page holds the whole of the largest layout by default. */
export function listKeycaps(db: KeyboardsDb, kitId: string, args: ListQueryArgs) {
  const where = { ...titleSearch(args.search), kitId };
  return keysetPage(db.keycap, { list: 'keycap', where, order: args.orderBy ?? BY_TITLE, args, defaultSize: KEYCAP_PAGE_SIZE });
}

/**
 * The keycaps of many kits, a page each as listKeycaps gives it, in one query whatever the number of kits (a page
 * at an end of its list only: see startsAtAnEnd). A kit holds one keycap per key of its layout, never more, so
 * the query reads every matching keycap of the kits in the page's order: each kit's page and count come from those.
 */
export function listKeycapsOfKits(db: KeyboardsDb, kitIds: readonly string[], args: ListQueryArgs) {
  const query = { list: 'keycap', order: args.orderBy ?? BY_TITLE, args, defaultSize: KEYCAP_PAGE_SIZE };
  return pagesAtAnEnd(query, async (take, orderBy) => {
    const keycaps = await db.keycap.findMany({
      where: { ...titleSearch(args.search), kitId: { in: [...kitIds] } },
      orderBy: orderBy as Prisma.KeycapOrderByWithRelationInput[],
    });
    const byKit = new Map<string, KeycapRow[]>();
    for (const keycap of keycaps) {
      const ofKit = byKit.get(keycap.kitId);
      if (ofKit) ofKit.push(keycap);
      else byKit.set(keycap.kitId, [keycap]);
    }
    return kitIds.map((id) => ({ rows: byKit.get(id)?.slice(0, take) ?? [], totalCount: byKit.get(id)?.length ?? 0 }));
  });
}

export interface ReplaceFilesInput {
  id: string;
  modelUploadId?: string | null;
  previewUploadId?: string | null;
}

/**
 * Attaches new uploads to an item the viewer may change; files not named stay as they are. Naming none is
 * BAD_USER_INPUT (a kit has only a preview), so that a client's mistake is not taken for a change.
 */
export async function replaceFiles<K extends ItemKind>(
  db: KeyboardsDb,
  kind: K,
  viewer: Viewer | null,
  input: ReplaceFilesInput,
) {
  const item = await itemToChange(delegateOf(db, kind), viewer, input.id);
  const uploads: Omit<ReplaceFilesInput, 'id'> = kind === 'kit' ? { previewUploadId: input.previewUploadId } : input;
  if (uploads.modelUploadId == null && uploads.previewUploadId == null) {
    throw errors.badField(kind === 'kit' ? 'previewUploadId' : 'modelUploadId', 'catalogue.nothingToReplace');
  }
  const attached = await attachments(db, viewer, uploads);
  const data = Object.fromEntries(Object.entries(attached.files).filter(([, id]) => id !== undefined));
  return attachedWith(db, attached, (tx) => delegateOf(tx, kind).update({ where: { id: item.id }, data }));
}

/** A new model for one keycap; only the owner of its kit (or an administrator, for default kits) may. */
export async function replaceKeycapModel(
  db: KeyboardsDb,
  viewer: Viewer | null,
  input: { keycapId: string; modelUploadId: string },
) {
  const keycapId = validId('keycapId', input.keycapId);
  const keycap = await db.keycap.findUnique({ where: { id: keycapId } });
  if (!keycap) {
    if (!viewer) throw errors.unauthenticated();
    throw errors.notFound();
  }
  await itemToChange(delegates(db).kit, viewer, keycap.kitId);
  const attached = await attachments(db, viewer, { modelUploadId: input.modelUploadId });
  return attachedWith(db, attached, (tx) =>
    tx.keycap.update({ where: { id: keycap.id }, data: { modelId: attached.files.modelId } }),
  );
}
