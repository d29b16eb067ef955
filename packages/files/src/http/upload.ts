import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { FileRejected } from '../errors';
import { DEFAULT_LIMITS, inspectFile, isFileKind, type FileKind, type InspectedFile } from '../inspect';
import { putContentAddressed } from '../storage';
import type { FileStorage } from '../storage';
import { errorAnswer, localeOf, sendError } from './answer';
import { InspectionSlots, type InspectionSlotsOptions } from './inspection-slots';
import { ClientGone, receiveMultipart, receiveRaw } from './receive';

/** Content types accepted for a raw body (the bytes decide what the file is; this only screens the request). */
export const RAW_CONTENT_TYPES: Record<FileKind, readonly string[]> = {
  model: ['model/gltf-binary', 'application/octet-stream'],
  preview: ['image/webp', 'image/png', 'image/jpeg', 'application/octet-stream'],
  sound: [
    'audio/mpeg',
    'audio/mp3',
    'audio/ogg',
    'audio/wav',
    'audio/wave',
    'audio/x-wav',
    'audio/vnd.wave',
    'application/octet-stream',
  ],
};

/** Room for the multipart boundaries and part headers around the file when checking Content-Length. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** After refusing a body still on its way, it is read and dropped for this long (or this much), then the connection is cut. */
const LINGER_MS = 1_000;
const LINGER_BYTES = 4 * 1024 * 1024;

/** What was stored, handed to `onStored` for the catalogue to record. */
export interface StoredFile {
  key: string;
  kind: FileKind;
  contentType: string;
  byteSize: number;
  sha256: string;
  extension: string;
  model?: InspectedFile['model'];
  image?: InspectedFile['image'];
  sound?: InspectedFile['sound'];
  /** False when the same bytes were already stored (content addressing: one object for both). */
  created: boolean;
}

export interface UploadRouterOptions {
  storage: FileStorage;
  /** Largest upload of each kind in bytes; DEFAULT_LIMITS for those not given. */
  limits?: Partial<Record<FileKind, number>>;
  /** Largest preview width and height in pixels (default 4096). */
  maxImageDimension?: number;
  /** Where bodies are streamed before inspection (default: the OS temporary folder). */
  tmpDir?: string;
  /** Inspections at once, and how long an upload waits for one (default 4, 10 s); or slots shared with other routers. */
  inspections?: InspectionSlotsOptions | InspectionSlots;
  /** Who uploads: an owner id, or throw (an AppError UNAUTHENTICATED/FORBIDDEN/RATE_LIMITED is answered as such). Runs before the body is read. */
  authorize(req: Request): string | Promise<string>;
  /** Runs once the body is in, before it is inspected (where a rate limit counts: a refused file costs an inspection too); may throw. */
  beforeInspect?(ownerId: string, kind: FileKind, byteSize: number): void | Promise<void>;
  /**
   * Records the stored file (the catalogue's upload row) and names it; may throw an AppError or FileRejected.
   * The bytes are stored again afterwards if they went meanwhile (a sweep reclaiming the same content):
   * a sweep that removes bytes must do it only while no record names them, under a lock it shares with this.
   */
  onStored(file: StoredFile, ownerId: string, kind: FileKind): { uploadId: string } | Promise<{ uploadId: string }>;
  /** Told about failures of ours (answered 500 INTERNAL), for logging. */
  onError?(error: unknown, req: Request): void;
}

export interface UploadAnswer {
  uploadId: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  model?: InspectedFile['model'];
  /** For a sound: its length in seconds. */
  durationSeconds?: number;
}

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Answers an error while the body may still be arriving: the answer goes out at once; the rest of the
 * body is read and dropped for a moment (so the client, still sending, gets to read the answer rather
 * than a reset), then the connection is closed if the body has not ended.
 */
function answerEarly(req: Request, res: Response, send: () => void): void {
  if (req.complete || req.destroyed) {
    send();
    return;
  }
  // No `Connection: close`: Node would cut the connection right after the answer, often before a
  // client busy sending has read it.
  send();
  req.unpipe();
  let dropped = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) cut();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

/**
 * POST /uploads/:kind (model, preview or sound): a multipart/form-data body with one file, or the file
 * itself as the body with an accepted content type. The body is streamed to a temporary file with a
 * hard limit, inspected (at most `inspections.concurrency` at once), stored under its content key, and
 * recorded through `onStored`. Answers 201 `{ uploadId, contentType, byteSize, sha256, model?, durationSeconds? }`;
 * a refusal answers 400 (413 past the limit) with `{ error: { code: 'BAD_USER_INPUT', reason, message } }`
 * in the language of Accept-Language (503 `busy` with Retry-After when no inspection slot came free in
 * time), and leaves nothing behind.
 */
export function uploadRouter(options: UploadRouterOptions): Router {
  const limits: Record<FileKind, number> = { ...DEFAULT_LIMITS, ...options.limits };
  const tmpDir = options.tmpDir ?? tmpdir();
  mkdirSync(tmpDir, { recursive: true });
  const slots =
    options.inspections instanceof InspectionSlots
      ? options.inspections
      : new InspectionSlots(options.inspections ?? { concurrency: 4, waitMs: 10_000 });
  const router = Router();

  router.post('/uploads/:kind', async (req: Request, res: Response) => {
    const locale = localeOf(req);
    const tmpPath = join(tmpDir, `keylab-upload-${randomUUID()}`);
    let answer: UploadAnswer | undefined;
    let failure: unknown;
    try {
      const kind = req.params.kind;
      if (!isFileKind(kind)) throw new FileRejected('unknown_kind');
      const ownerId = await options.authorize(req);
      slots.admit();
      const limit = limits[kind];
      const type = mediaType(req);
      const declared = Number(req.headers['content-length']);
      if (type === 'multipart/form-data') {
        if (declared > limit + MULTIPART_OVERHEAD) throw new FileRejected('too_large', { limit });
        await receiveMultipart(req, limit, tmpPath);
      } else if (RAW_CONTENT_TYPES[kind].includes(type)) {
        if (declared > limit) throw new FileRejected('too_large', { limit });
        await receiveRaw(req, limit, tmpPath);
      } else {
        throw new FileRejected('unsupported_media_type');
      }
      await options.beforeInspect?.(ownerId, kind, (await stat(tmpPath)).size);
      const inspected = await slots.run(() =>
        inspectFile(tmpPath, kind, { maxBytes: limit, maxImageDimension: options.maxImageDimension }),
      );
      const store = () =>
        putContentAddressed(options.storage, inspected.converted ?? (() => createReadStream(tmpPath)), inspected);
      const stored = await store();
      const file: StoredFile = {
        key: stored.key,
        kind,
        contentType: inspected.contentType,
        byteSize: inspected.byteSize,
        sha256: inspected.sha256,
        extension: inspected.extension,
        ...(inspected.model ? { model: inspected.model } : {}),
        ...(inspected.image ? { image: inspected.image } : {}),
        ...(inspected.sound ? { sound: inspected.sound } : {}),
        created: stored.created,
      };
      const { uploadId } = await options.onStored(file, ownerId, kind);
      // A sweep may have reclaimed the same bytes between the first store and the record; now they stay.
      await store();
      answer = {
        uploadId,
        contentType: file.contentType,
        byteSize: file.byteSize,
        sha256: file.sha256,
        ...(file.model ? { model: file.model } : {}),
        ...(file.sound ? { durationSeconds: file.sound.durationSeconds } : {}),
      };
    } catch (error) {
      failure = error;
    }
    // Remove the temporary file before answering: once the client has its answer, nothing is left.
    await rm(tmpPath, { force: true }).catch((error: unknown) => options.onError?.(error, req));
    if (answer) {
      res.status(201).set('Cache-Control', 'no-store').json(answer);
      return;
    }
    if (failure instanceof ClientGone) return;
    const errorBody = errorAnswer(failure, locale);
    if (errorBody.unexpected) options.onError?.(failure, req);
    answerEarly(req, res, () => sendError(res, errorBody));
  });

  return router;
}
