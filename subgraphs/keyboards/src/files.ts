import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { bearerToken, type AccessTokenVerifier } from '@keylab/auth';
import { errors } from '@keylab/errors';
import {
  isValidKey,
  createStorage,
  serveRouter,
  signUrl,
  uploadRouter,
  verifySignedUrl,
  type FileKind,
  type FileStorage,
  type InspectedFile,
} from '@keylab/files';
import type { KeyboardsConfig } from './config';
import type { KeyboardsDb } from './db/client';
import { isUuid } from './domain/items';

export function fileStorage(config: KeyboardsConfig): FileStorage {
  if (config.FILES_DRIVER === 's3') {
    if (!config.S3_BUCKET) throw new Error('FILES_DRIVER=s3 needs S3_BUCKET');
    return createStorage({
      driver: 's3',
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: Boolean(config.S3_ENDPOINT),
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return createStorage({ driver: 'fs', root: config.FILES_DIR });
}

/**
 * POST /uploads/:kind (signed in): inspects and stores a model, preview or sound, and records it as an
 * upload of its owner; a mutation then attaches it by id. GET /files/<content key>: the stored bytes,
 * immutable and cacheable for a year (the key is the content's SHA-256).
 */
export function mountFileRoutes(
  app: Express,
  db: KeyboardsDb,
  storage: FileStorage,
  verify: AccessTokenVerifier,
  urlSecret: string,
): void {
  app.use(
    uploadRouter({
      storage,
      tmpDir: undefined,
      async authorize(req) {
        try {
          const token = bearerToken(req.headers.authorization);
          if (token) return (await verify(token)).userId;
        } catch {
          throw errors.unauthenticated('auth.invalidToken');
        }
        throw errors.unauthenticated();
      },
      async onStored(file, ownerId, kind) {
        return { uploadId: await recordFile(db, { ...file, kind }, { ownerId }) };
      },
    }),
  );
  app.use(
    serveRouter({
      storage,
      async resolve(req, path) {
        if (!isValidKey(path)) return null;
        const rows = await db.storedFile.findMany({
          where: { storageKey: path },
          select: { contentType: true, sha256: true, ownerId: true, attachedAt: true },
        });
        const row = rows[0];
        if (!row) return null;
        const file = { key: path, contentType: row.contentType, sha256: row.sha256 };
        if (rows.some((r) => r.ownerId === null || r.attachedAt !== null)) return { ...file, immutable: true };
        // An upload nobody attached yet is private: only its signed, expiring URL serves it.
        return verifySignedUrl(req.originalUrl, urlSecret).valid ? { ...file, immutable: false, maxAge: 60 } : null;
      },
    }),
  );
}

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

/** The file an upload id names, if the viewer may attach it (their own upload, of the right kind); attaching is markAttached. */
export async function uploadToAttach(
  db: KeyboardsDb,
  viewer: { userId: string; roles: readonly string[] },
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

export interface FileUrls {
  /** Public for attached and default files; signed for 15 minutes for an upload not attached yet. */
  of(file: { storageKey: string; ownerId: string | null; attachedAt: Date | string | null }): string;
  secret: string;
}

const SIGNED_URL_TTL_MS = 15 * 60_000;

export function fileUrls(publicUrl: string, secret = randomBytes(32).toString('base64url')): FileUrls {
  const base = publicUrl.replace(/\/$/, '');
  return {
    secret,
    of(file) {
      const path = `/files/${file.storageKey}`;
      const isPublic = file.ownerId === null || file.attachedAt !== null;
      return `${base}${isPublic ? path : signUrl(path, secret, new Date(Date.now() + SIGNED_URL_TTL_MS))}`;
    },
  };
}
