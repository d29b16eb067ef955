import type { Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import type { FileKind, InspectedFile, ModelInfo } from '@keylab/files';
import type { KeyboardsDb } from '../db/client';
import type { Prisma, StoredFile } from '../db/generated/client';
import { isUuid } from './ids';

export type StoredFileRow = StoredFile;

/** What makes a stored file public: it belongs to the default catalogue, or an item names it. */
export const isPublicFile = (file: Pick<StoredFileRow, 'ownerId' | 'attachedAt'>) =>
  file.ownerId === null || file.attachedAt !== null;

/** Records a stored file (what inspection found) and returns its id. */
export async function recordFile(
  db: KeyboardsDb,
  file: Pick<InspectedFile, 'contentType' | 'byteSize' | 'sha256' | 'model'> & { key: string; kind: FileKind },
  owner: { ownerId: string | null; attachedAt?: Date },
): Promise<string> {
  const row = await db.storedFile.create({
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

/** The file an upload id names, if the viewer may attach it (their own upload, of the right kind); attaching is markAttached. */
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

/** Makes uploads public once an item names them (call after the item's write succeeded, never before). */
export async function markAttached(db: KeyboardsDb, ids: (string | undefined)[]): Promise<void> {
  const named = ids.filter((id): id is string => id !== undefined);
  if (named.length)
    await db.storedFile.updateMany({ where: { id: { in: named }, attachedAt: null }, data: { attachedAt: new Date() } });
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
