import type { Express } from 'express';
import type { AccessTokenVerifier } from '@keylab/auth';
import { bearerToken } from '@keylab/auth';
import { errors, pickLocale, type Locale } from '@keylab/errors';
import { createStorage, serveRouter, uploadRouter, type FileKind, type FileStorage } from '@keylab/files';
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
export function mountFileRoutes(app: Express, db: KeyboardsDb, storage: FileStorage, verify: AccessTokenVerifier): void {
  app.use(
    uploadRouter({
      storage,
      tmpDir: undefined,
      async authorize(req) {
        const locale = pickLocale(req.headers['accept-language']);
        try {
          const token = bearerToken(req.headers.authorization);
          if (token) return (await verify(token)).userId;
        } catch {
          throw errors.unauthenticated(locale, 'auth.invalidToken');
        }
        throw errors.unauthenticated(locale);
      },
      async onStored(file, ownerId, kind) {
        const row = await db.storedFile.create({
          data: {
            kind,
            storageKey: file.key,
            contentType: file.contentType,
            byteSize: file.byteSize,
            sha256: file.sha256,
            vertexCount: file.model?.vertexCount,
            triangleCount: file.model?.triangleCount,
            boundingBox: file.model?.boundingBox,
            ownerId,
          },
        });
        return { uploadId: row.id };
      },
    }),
  );
  app.use(
    serveRouter({
      storage,
      async resolve(_req, path) {
        const row = await db.storedFile.findFirst({
          where: { storageKey: path },
          select: { storageKey: true, contentType: true, sha256: true },
        });
        return row ? { key: row.storageKey, contentType: row.contentType, immutable: true, sha256: row.sha256 } : null;
      },
    }),
  );
}

/** The file an upload id names, if the viewer may attach it (their own upload, of the right kind). */
export async function uploadToAttach(
  db: KeyboardsDb,
  locale: Locale,
  viewer: { userId: string; roles: readonly string[] },
  field: string,
  uploadId: string | null | undefined,
  kind: FileKind,
): Promise<string | undefined> {
  if (uploadId == null) return undefined;
  const file = isUuid(uploadId) ? await db.storedFile.findUnique({ where: { id: uploadId.toLowerCase() } }) : null;
  if (!file || file.kind !== kind || (file.ownerId !== null && file.ownerId !== viewer.userId)) {
    throw errors.badInput(locale, field, 'input.upload', { kind });
  }
  return file.id;
}

export const fileUrl = (publicUrl: string, storageKey: string) => `${publicUrl.replace(/\/$/, '')}/files/${storageKey}`;
