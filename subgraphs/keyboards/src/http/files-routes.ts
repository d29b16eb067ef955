import type { Express } from 'express';
import type { AccessTokenVerifier } from '@keylab/auth';
import { errors, pickLocale } from '@keylab/errors';
import {
  isValidKey,
  serveRouter,
  type ResolvedFile,
  uploadRouter,
  verifySignedUrl,
  type FileStorage,
  type InspectionSlotsOptions,
} from '@keylab/files';
import { verifiedViewer } from '@keylab/server';
import type { Request } from 'express';
import type { KeyboardsDb } from '../db/client';
import { recordUpload, storedContent } from '../domain/stored-files';
import type { UploadLimits } from '../domain/upload-limits';
import { accelRedirectRouter } from './accel-redirect';

export interface FileRoutesDeps {
  db: KeyboardsDb;
  storage: FileStorage;
  verifyAccessToken: AccessTokenVerifier;
  /** Signs the URLs of uploads not attached yet (FileUrls.secret). */
  urlSecret: string;
  limits: UploadLimits;
  inspections: InspectionSlotsOptions;
  /** FILES_ACCEL_REDIRECT: nginx sends the bytes of /files from this internal location; unset, Node streams them. */
  accelRedirect?: string;
}

/** Room for the multipart boundaries and part headers around the file. */
const MULTIPART_SLACK = 64 * 1024;

/** The size of the file the request says it carries (0 when it does not say). */
function declaredFileBytes(req: Request): number {
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length) || length <= 0) return 0;
  return /^multipart\//i.test(req.headers['content-type'] ?? '') ? Math.max(0, length - MULTIPART_SLACK) : length;
}

/**
 * POST /uploads/:kind (signed in): inspects and stores a model, preview or sound, and records it as an
 * upload of its owner; a mutation then attaches it by id. Each account has a rate of uploads and a quota
 * of bytes in unattached uploads (checked before the body is read, and the quota again when recording).
 * GET /files/<content key>: the stored bytes, immutable and cacheable for a year (the key is the content's
 * SHA-256); with `accelRedirect`, the same answer without the bytes, which nginx then sends from disk.
 */
export function mountFileRoutes(app: Express, deps: FileRoutesDeps): void {
  const { db, storage, verifyAccessToken, urlSecret, limits } = deps;
  app.use(
    uploadRouter({
      storage,
      inspections: deps.inspections,
      // The caller is known as for a GraphQL request: a token that fails verification is UNAUTHENTICATED.
      async authorize(req) {
        const viewer = await verifiedViewer(
          req.headers.authorization,
          verifyAccessToken,
          pickLocale(req.headers['accept-language']),
        );
        if (!viewer) throw errors.unauthenticated();
        await limits.admit(viewer.userId, declaredFileBytes(req));
        return viewer.userId;
      },
      beforeInspect: (ownerId) => limits.count(ownerId),
      async onStored(file, ownerId, kind) {
        return { uploadId: await recordUpload(db, { ...file, kind }, ownerId, limits.quotaBytes) };
      },
    }),
  );
  async function resolve(req: Request, key: string): Promise<ResolvedFile | null> {
    if (!isValidKey(key)) return null;
    const content = await storedContent(db, key);
    if (!content) return null;
    const file = { key, contentType: content.contentType, sha256: content.sha256 };
    if (content.isPublic) return { ...file, immutable: true };
    // An upload nobody attached yet is private: only its signed, expiring URL serves it.
    return verifySignedUrl(req.originalUrl, urlSecret).valid ? { ...file, immutable: false, maxAge: 60 } : null;
  }
  app.use(
    deps.accelRedirect
      ? accelRedirectRouter({ storage, prefix: deps.accelRedirect, resolve })
      : serveRouter({ storage, resolve }),
  );
}
