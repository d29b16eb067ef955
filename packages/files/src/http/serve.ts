import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { Locale } from '@keylab/errors';
import { isNotFound, StorageError } from '../errors';
import { translateFile } from '../messages';
import { sha256OfContentKey, type FileStorage } from '../storage';
import { noneMatch, parseRange } from './conditions';
import { errorAnswer, localeOf, sendError } from './answer';

export interface ResolvedFile {
  key: string;
  contentType: string;
  /** Content-addressed (never changes): cached publicly for a year. Else private, for `maxAge` seconds. */
  immutable: boolean;
  /** The ETag; taken from the key when it is a content key. */
  sha256?: string;
  /** Private cache lifetime in seconds (default 300); keep it within a signed URL's expiry. */
  maxAge?: number;
}

export interface ServeRouterOptions {
  storage: FileStorage;
  /**
   * Which stored file a request is for (`path` is what follows /files/), or null for none (404). Checks
   * access itself (a signed URL with `verifySignedUrl`, or anything else); may throw an AppError.
   */
  resolve(req: Request, path: string): ResolvedFile | null | Promise<ResolvedFile | null>;
  /** Told about failures of ours (storage errors), for logging. */
  onError?(error: unknown, req: Request): void;
}

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const DEFAULT_PRIVATE_MAX_AGE = 300;

/**
 * GET and HEAD /files/* : streams the file `resolve` names, with a strong ETag (its sha256) and
 * If-None-Match (304), a single Range (206, 416 when unsatisfiable, honouring If-Range), Accept-Ranges,
 * Content-Type, Content-Length and Cache-Control (immutable for content-addressed files, else private).
 */
export function serveRouter(options: ServeRouterOptions): Router {
  const router = Router();

  router.get('/files/*path', async (req: Request, res: Response) => {
    const locale = localeOf(req);
    try {
      const segments = (req.params as { path?: string[] }).path ?? [];
      const resolved = await options.resolve(req, segments.join('/'));
      if (!resolved) {
        sendNotFound(res, locale);
        return;
      }
      const info = await options.storage.stat(resolved.key);
      const size = info.byteSize;
      const sha256 = resolved.sha256 ?? sha256OfContentKey(resolved.key);
      const etag = sha256 ? `"${sha256}"` : undefined;

      res.set('Accept-Ranges', 'bytes');
      res.set(
        'Cache-Control',
        resolved.immutable ? IMMUTABLE_CACHE_CONTROL : `private, max-age=${resolved.maxAge ?? DEFAULT_PRIVATE_MAX_AGE}`,
      );
      if (etag) res.set('ETag', etag);
      if (etag && noneMatch(req.headers['if-none-match'], etag)) {
        res.status(304).end();
        return;
      }

      const ifRange = req.headers['if-range'];
      const rangeHeader = req.headers.range;
      const range = rangeHeader && (!ifRange || (etag !== undefined && ifRange === etag)) ? parseRange(rangeHeader, size) : null;
      if (range === 'unsatisfiable') {
        res.status(416).set('Content-Range', `bytes */${size}`).end();
        return;
      }
      res.set('Content-Type', resolved.contentType);
      res.set('X-Content-Type-Options', 'nosniff');
      if (range) {
        res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
        res.set('Content-Length', String(range.end - range.start + 1));
      } else {
        res.status(200).set('Content-Length', String(size));
      }
      if (req.method === 'HEAD' || size === 0) {
        res.end();
        return;
      }
      const opened = await options.storage.open(resolved.key, range ?? undefined);
      res.flushHeaders();
      await pipeline(opened.stream, res).catch((error: unknown) => {
        // The client went away, or the storage failed mid-stream (then the cut connection tells the client).
        if (!res.writableFinished && !req.destroyed) options.onError?.(error, req);
        res.destroy();
      });
    } catch (error) {
      if (isNotFound(error)) {
        sendNotFound(res, locale);
        return;
      }
      if (error instanceof StorageError && error.code === 'RANGE_NOT_SATISFIABLE' && !res.headersSent) {
        res.status(416).end();
        return;
      }
      const answer = errorAnswer(error, locale);
      if (answer.unexpected) options.onError?.(error, req);
      res.removeHeader('Content-Range');
      res.removeHeader('Content-Length');
      res.removeHeader('ETag');
      sendError(res, answer);
    }
  });

  return router;
}

function sendNotFound(res: Response, locale: Locale): void {
  for (const header of ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges']) res.removeHeader(header);
  sendError(res, {
    status: 404,
    body: { error: { code: 'NOT_FOUND', reason: 'not_found', message: translateFile(locale, 'not_found') } },
    unexpected: false,
  });
}
