import { Router, type Request, type Response } from 'express';
import { pickLocale, type Locale } from '@keylab/errors';
import {
  IMMUTABLE_CACHE_CONTROL,
  isNotFound,
  noneMatch,
  translateFile,
  type FileStorage,
  type ResolvedFile,
} from '@keylab/files';

export interface AccelRedirectOptions {
  storage: FileStorage;
  /** nginx's internal location over the files folder, such as `/internal-files/` (FILES_ACCEL_REDIRECT). */
  prefix: string;
  /** As for serveRouter: the file a request may read, or null (404). */
  resolve(req: Request, path: string): Promise<ResolvedFile | null>;
}

function sendJsonError(res: Response, status: number, body: Record<string, string>): void {
  res
    .status(status)
    .set({ 'Cache-Control': 'no-store', 'Content-Type': 'application/json; charset=utf-8' })
    .json({ error: body });
}

const notFound = (res: Response, locale: Locale) =>
  sendJsonError(res, 404, { code: 'NOT_FOUND', reason: 'not_found', message: translateFile(locale, 'not_found') });

/**
 * GET and HEAD /files/* behind nginx: the same checks and headers as serveRouter (type, strong ETag and
 * If-None-Match, cache lifetime, nosniff), then `X-Accel-Redirect: <prefix><key>` and no body. nginx sends the
 * bytes from disk with Range and Content-Length; the headers it drops on a redirect (ETag, nosniff) its
 * internal location adds back (docker/nginx/keylab.conf).
 */
export function accelRedirectRouter(options: AccelRedirectOptions): Router {
  const router = Router();
  router.get('/files/*path', async (req: Request, res: Response) => {
    const locale = pickLocale(req.headers['accept-language']);
    try {
      const segments = (req.params as { path?: string[] }).path ?? [];
      const resolved = await options.resolve(req, segments.join('/'));
      if (!resolved) return notFound(res, locale);
      // A row whose bytes are gone answers as the Node path does, not with nginx's own 404 page.
      await options.storage.stat(resolved.key);
      const etag = resolved.sha256 ? `"${resolved.sha256}"` : undefined;
      res.set({
        'Cache-Control': resolved.immutable ? IMMUTABLE_CACHE_CONTROL : `private, max-age=${resolved.maxAge ?? 300}`,
        ...(etag ? { ETag: etag } : {}),
      });
      if (etag && noneMatch(req.headers['if-none-match'], etag)) return void res.status(304).set('Accept-Ranges', 'bytes').end();
      // No Accept-Ranges: nginx sends its own with the file, and would repeat ours.
      res.set({
        'Content-Type': resolved.contentType,
        'X-Content-Type-Options': 'nosniff',
        'X-Accel-Redirect': `${options.prefix}${resolved.key}`,
      });
      res.end();
    } catch (error) {
      if (isNotFound(error)) return notFound(res, locale);
      sendJsonError(res, 500, { code: 'INTERNAL', message: translateFile(locale, 'internal') });
    }
  });
  return router;
}
