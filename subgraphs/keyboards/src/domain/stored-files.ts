import type { Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import { FileRejected, type FileKind, type InspectedFile, type ModelInfo } from '@keylab/files';
import type { KeyboardsDb } from '../db/client';
import type { Prisma, StoredFile } from '../db/generated/client';
import { lockContentShared, lockUploader } from './content-lock';
import { isUuid } from './ids';

export type StoredFileRow = StoredFile;

/** What makes a stored file public: it belongs to the default catalogue, or an item names it. */
export const isPublicFile = (file: Pick<StoredFileRow, 'ownerId' | 'attachedAt'>) =>
  file.ownerId === null || file.attachedAt !== null;

type FileToRecord = Pick<InspectedFile, 'contentType' | 'byteSize' | 'sha256' | 'model'> & { key: string; kind: FileKind };

async function insertFile(
  tx: Prisma.TransactionClient,
  file: FileToRecord,
  owner: { ownerId: string | null; attachedAt?: Date },
) {
  await lockContentShared(tx, file.key);
  const row = await tx.storedFile.create({
    data: {
      kind: file.kind,
      storageKey: file.key,
      contentType: file.contentType,
      byteSize: file.byteSize,
      sha256: file.sha256,
      vertexCount: file.model?.vertexCount,
      triangleCount: file.model?.triangleCount,
      boundingBox: file.model?.boundingBox,
      ...owner,
    },
  });
  return row.id;
}

/** Records a stored file (what inspection found) and returns its id. */
export function recordFile(
  db: KeyboardsDb,
  file: FileToRecord,
  owner: { ownerId: string | null; attachedAt?: Date },
): Promise<string> {
  return db.$transaction((tx) => insertFile(tx, file, owner));
}

/** Bytes held by the owner's uploads that no mutation attached yet (the upload quota counts these). */
export async function heldUploadBytes(db: KeyboardsDb | Prisma.TransactionClient, ownerId: string): Promise<number> {
  const { _sum } = await db.storedFile.aggregate({ _sum: { byteSize: true }, where: { ownerId, attachedAt: null } });
  return _sum.byteSize ?? 0;
}

/**
 * Records a new upload of its owner, unless it would take their unattached uploads past `quotaBytes`
 * (upload_quota). Refused, its bytes (already stored) are queued for the file sweep, which deletes them
 * unless another row names them.
 */
export async function recordUpload(db: KeyboardsDb, file: FileToRecord, ownerId: string, quotaBytes: number): Promise<string> {
  try {
    return await db.$transaction(async (tx) => {
      await lockUploader(tx, ownerId);
      const held = await heldUploadBytes(tx, ownerId);
      if (held + file.byteSize > quotaBytes) throw new FileRejected('upload_quota', { limit: quotaBytes, held });
      return await insertFile(tx, file, { ownerId });
    });
  } catch (error) {
    await db.fileReclaim.createMany({ data: [{ storageKey: file.key }], skipDuplicates: true }).catch(() => undefined);
    throw error;
  }
}

/** The content stored under a key, and whether anyone may read it (else only through a signed URL). */
export async function storedContent(
  db: KeyboardsDb,
  key: string,
): Promise<{ contentType: string; sha256: string; isPublic: boolean } | null> {
  const rows = await db.storedFile.findMany({
    where: { storageKey: key },
    select: { contentType: true, sha256: true, ownerId: true, attachedAt: true },
  });
  const row = rows[0];
  if (!row) return null;
  // The same bytes may be one user's private upload and, at once, a file someone attached.
  return { contentType: row.contentType, sha256: row.sha256, isPublic: rows.some(isPublicFile) };
}

/** One of the viewer's own uploads, attached or not; null for any other id. */
export async function myUpload(db: KeyboardsDb, viewer: Viewer | null, id: string): Promise<StoredFileRow | null> {
  if (!viewer) throw errors.unauthenticated();
  if (!isUuid(id)) return null;
  return db.storedFile.findFirst({ where: { id: id.toLowerCase(), ownerId: viewer.userId } });
}

/** The file an upload id names, if the viewer may attach it (their own upload, of the right kind); attaching is claimAttachments. */
export async function uploadToAttach(
  db: KeyboardsDb,
  viewer: Viewer,
  field: string,
  uploadId: string | null | undefined,
  kind: FileKind,
): Promise<string | undefined> {
  if (uploadId == null) return undefined;
  const file = isUuid(uploadId) ? await db.storedFile.findUnique({ where: { id: uploadId.toLowerCase() } }) : null;
  if (!file || file.kind !== kind || (file.ownerId !== null && file.ownerId !== viewer.userId)) {
    throw errors.badInput(field, 'input.upload', { kind });
  }
  return file.id;
}

export interface Attachment {
  field: string;
  kind: FileKind;
  id: string;
}

/**
 * Makes uploads public and takes them out of the file sweep's hands, in the transaction that writes the
 * item naming them (so a refused write leaves them as they were). Each row is updated, and so locked,
 * before the item is written: a sweep that is deleting it makes this wait and then find it gone
 * (BAD_USER_INPUT on the field, nothing written); a sweep that comes after skips the locked row, or
 * sees it attached and unmarked, and leaves it.
 */
export async function claimAttachments(tx: Prisma.TransactionClient, attachments: Attachment[]): Promise<void> {
  const now = new Date();
  for (const { field, kind, id } of attachments) {
    const { count } = await tx.storedFile.updateMany({ where: { id }, data: { unreferencedSince: null } });
    if (!count) throw errors.badInput(field, 'input.upload', { kind });
    await tx.storedFile.updateMany({ where: { id, attachedAt: null }, data: { attachedAt: now } });
  }
}

/** What inspection found in a glTF model, as recorded with the file; null for other files. */
export function modelInfoOf(file: StoredFileRow): ModelInfo | null {
  const { vertexCount, triangleCount, boundingBox } = file;
  if (vertexCount === null) return null;
  if (triangleCount === null || !isBoundingBox(boundingBox)) throw new Error(`stored file ${file.id}: model info incomplete`);
  return { vertexCount, triangleCount, boundingBox };
}

const isPoint = (value: Prisma.JsonValue | undefined): value is ModelInfo['boundingBox']['min'] =>
  Array.isArray(value) && value.length === 3 && value.every((n) => typeof n === 'number');

function isBoundingBox(value: Prisma.JsonValue | null): value is ModelInfo['boundingBox'] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isPoint(value.min) && isPoint(value.max);
}
