import type { Express } from 'express';
import type { AccessTokenVerifier } from '@keylab/auth';
import { errors, pickLocale } from '@keylab/errors';
import { isValidKey, serveRouter, uploadRouter, verifySignedUrl, type FileStorage } from '@keylab/files';
import { verifiedViewer } from '@keylab/server';
import type { KeyboardsDb } from '../db/client';
import { recordFile, storedContent } from '../domain/stored-files';

export interface FileRoutesDeps {
  db: KeyboardsDb;
  storage: FileStorage;
  verifyAccessToken: AccessTokenVerifier;
  /** Signs the URLs of uploads not attached yet (FileUrls.secret). */
  urlSecret: string;
}

/**
 * POST /uploads/:kind (signed in): inspects and stores a model, preview or sound, and records it as an
 * upload of its owner; a mutation then attaches it by id. GET /files/<content key>: the stored bytes,
 * immutable and cacheable for a year (the key is the content's SHA-256).
 */
export function mountFileRoutes(app: Express, deps: FileRoutesDeps): void {
  const { db, storage, verifyAccessToken, urlSecret } = deps;
  app.use(
    uploadRouter({
      storage,
      // The caller is known as for a GraphQL request: a token that fails verification is UNAUTHENTICATED.
      async authorize(req) {
        const viewer = await verifiedViewer(
          req.headers.authorization,
          verifyAccessToken,
          pickLocale(req.headers['accept-language']),
        );
        if (!viewer) throw errors.unauthenticated();
        return viewer.userId;
      },
      async onStored(file, ownerId, kind) {
        return { uploadId: await recordFile(db, { ...file, kind }, { ownerId }) };
      },
    }),
  );
  app.use(
    serveRouter({
      storage,
      async resolve(req, key) {
        if (!isValidKey(key)) return null;
        const content = await storedContent(db, key);
        if (!content) return null;
        const file = { key, contentType: content.contentType, sha256: content.sha256 };
        if (content.isPublic) return { ...file, immutable: true };
        // An upload nobody attached yet is private: only its signed, expiring URL serves it.
        return verifySignedUrl(req.originalUrl, urlSecret).valid ? { ...file, immutable: false, maxAge: 60 } : null;
      },
    }),
  );
}
