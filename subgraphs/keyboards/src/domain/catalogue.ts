import type { Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import type { KeyboardsDb } from '../db/client';
import { markAttached, uploadToAttach } from '../files';
import {
  isUuid,
  itemById,
  itemToChange,
  newItemOwner,
  ownerFilter,
  pageOfItems,
  validId,
  validTitle,
  withUniqueTitle,
  type ItemDelegate,
  type ItemRow,
  type Owner,
} from './items';
import { decodeCursor, pageSize, toConnection, type Keyset, type PageArgs } from './pagination';

const switchOrder: Keyset<{ title: string; id: string }> = { key: (row) => [row.title, row.id] };

export async function listSwitches(db: KeyboardsDb, args: PageArgs) {
  const size = pageSize(args);
  const after = args.after ? decodeCursor(args.after, 2) : null;
  const where = after
    ? { OR: [{ title: { gt: String(after[0]) } }, { title: String(after[0]), id: { gt: String(after[1]) } }] }
    : {};
  const [rows, totalCount] = await Promise.all([
    db.switch.findMany({ where, orderBy: [{ title: 'asc' }, { id: 'asc' }], take: size + 1 }),
    db.switch.count(),
  ]);
  return toConnection(rows, size, totalCount, switchOrder);
}

export function listBoxTypes(db: KeyboardsDb) {
  return db.boxType.findMany({ orderBy: [{ keyCount: 'desc' }, { title: 'asc' }] });
}

export const delegates = (db: KeyboardsDb) => ({
  box: db.box as unknown as ItemDelegate<ItemRow>,
  kit: db.kit as unknown as ItemDelegate<ItemRow>,
  keyboard: db.keyboard as unknown as ItemDelegate<ItemRow>,
});

export type ItemKind = keyof ReturnType<typeof delegates>;

export interface ListArgs extends PageArgs {
  owner?: Owner | null;
  boxTypeId?: string | null;
  switchId?: string | null;
}

/** Default items or mine, optionally of one box type (and for keyboards of one switch), newest first. */
export function listItems(db: KeyboardsDb, kind: ItemKind, args: ListArgs, viewer: Viewer | null) {
  const where: Record<string, unknown> = ownerFilter(viewer, args.owner);
  if (args.boxTypeId != null) where.boxTypeId = validId('boxTypeId', args.boxTypeId);
  if (args.switchId != null && kind === 'keyboard') where.switchId = validId('switchId', args.switchId);
  return pageOfItems(delegates(db)[kind], where, args);
}

/** Everything one user made of a kind (anyone may look: items are shared by link). */
export function listItemsOf(db: KeyboardsDb, kind: ItemKind, ownerId: string, args: PageArgs) {
  if (!isUuid(ownerId)) return toConnection([], pageSize(args), 0, { key: () => [] });
  return pageOfItems(delegates(db)[kind], { ownerId }, args);
}

export const getItem = (db: KeyboardsDb, kind: ItemKind, id: string) => itemById(delegates(db)[kind], id);

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

/** Upload ids of the input resolved to stored files the viewer may attach (BAD_USER_INPUT otherwise). */
async function attachments(
  db: KeyboardsDb,
  viewer: Viewer | null,
  input: { modelUploadId?: string | null; previewUploadId?: string | null },
) {
  if (!viewer) throw errors.unauthenticated();
  return {
    modelId: await uploadToAttach(db, viewer, 'modelUploadId', input.modelUploadId, 'model'),
    previewId: await uploadToAttach(db, viewer, 'previewUploadId', input.previewUploadId, 'preview'),
  };
}

/** Runs the item's write, then makes the uploads it names public: a refused write leaves them private. */
async function attachedAfter<T>(
  db: KeyboardsDb,
  files: { modelId?: string; previewId?: string },
  write: () => Promise<T>,
): Promise<T> {
  const item = await write();
  await markAttached(db, [files.modelId, files.previewId]);
  return item;
}

export async function createBox(db: KeyboardsDb, viewer: Viewer | null, input: CreateInput) {
  const ownerId = newItemOwner(viewer, input.asDefault);
  const title = validTitle(input.title);
  const boxTypeId = await existing('boxTypeId', input.boxTypeId, (id) => db.boxType.findUnique({ where: { id } }));
  const files = await attachments(db, viewer, input);
  return attachedAfter(db, files, () => withUniqueTitle(() => db.box.create({ data: { ownerId, title, boxTypeId, ...files } })));
}

export async function createKeyboard(db: KeyboardsDb, viewer: Viewer | null, input: CreateInput & { switchId: string }) {
  const ownerId = newItemOwner(viewer, input.asDefault);
  const title = validTitle(input.title);
  const boxTypeId = await existing('boxTypeId', input.boxTypeId, (id) => db.boxType.findUnique({ where: { id } }));
  const switchId = await existing('switchId', input.switchId, (id) => db.switch.findUnique({ where: { id } }));
  const files = await attachments(db, viewer, input);
  return attachedAfter(db, files, () =>
    withUniqueTitle(() => db.keyboard.create({ data: { ownerId, title, boxTypeId, switchId, ...files } })),
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
  const { previewId } = await attachments(db, viewer, { previewUploadId: input.previewUploadId });
  return attachedAfter(db, { previewId }, () =>
    withUniqueTitle(() =>
      db.kit.create({
        data: {
          ownerId,
          title,
          boxTypeId,
          previewId: previewId ?? template?.previewId,
          keycaps: { create: (template?.keycaps ?? []).map(({ title, fileName, modelId }) => ({ title, fileName, modelId })) },
        },
      }),
    ),
  );
}

const keycapOrder: Keyset<{ title: string; id: string }> = { key: (row) => [row.title, row.id] };

/** A kit's keycaps by title. */
export async function listKeycaps(db: KeyboardsDb, kitId: string, args: PageArgs) {
  const size = pageSize(args);
  const after = args.after ? decodeCursor(args.after, 2) : null;
  const cursor = after
    ? { OR: [{ title: { gt: String(after[0]) } }, { title: String(after[0]), id: { gt: String(after[1]) } }] }
    : {};
  const [rows, totalCount] = await Promise.all([
    db.keycap.findMany({ where: { kitId, ...cursor }, orderBy: [{ title: 'asc' }, { id: 'asc' }], take: size + 1 }),
    db.keycap.count({ where: { kitId } }),
  ]);
  return toConnection(rows, size, totalCount, keycapOrder);
}

export interface ReplaceFilesInput {
  id: string;
  modelUploadId?: string | null;
  previewUploadId?: string | null;
}

/** Attaches new uploads to an item the viewer may change; files not named stay as they are. */
export async function replaceFiles(db: KeyboardsDb, kind: ItemKind, viewer: Viewer | null, input: ReplaceFilesInput) {
  const delegate = delegates(db)[kind];
  const item = await itemToChange(delegate, viewer, input.id);
  const files = await attachments(db, viewer, kind === 'kit' ? { previewUploadId: input.previewUploadId } : input);
  const data = Object.fromEntries(Object.entries(files).filter(([, id]) => id !== undefined));
  return Object.keys(data).length ? attachedAfter(db, files, () => delegate.update({ where: { id: item.id }, data })) : item;
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
  const { modelId } = await attachments(db, viewer, { modelUploadId: input.modelUploadId });
  return attachedAfter(db, { modelId }, () => db.keycap.update({ where: { id: keycap.id }, data: { modelId } }));
}
