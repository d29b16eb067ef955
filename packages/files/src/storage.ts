import type { Readable } from 'node:stream';
import { isNotFound, StorageError } from './errors';

/** An inclusive byte range, as in HTTP: { start: 0, end: 99 } is the first 100 bytes. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  contentType: string;
}

export interface StoredObject {
  key: string;
  byteSize: number;
}

export interface OpenedObject {
  stream: Readable;
  /** Size of the whole object (not of the range). */
  byteSize: number;
  /** The bytes the stream carries (the range asked for, its end clamped to the object), or the whole object. */
  range: ByteRange;
}

export interface ObjectStat {
  byteSize: number;
  /** The content type given to `put`, where the driver keeps it (S3 does; the filesystem does not). */
  contentType?: string;
  modifiedAt: Date;
}

/**
 * Where file bytes live. Keys are `[a-z0-9/._-]` paths (see `assertValidKey`). `open` and `stat` throw a
 * StorageError with code NOT_FOUND for a missing key; `delete` of a missing key is not an error.
 */
export interface FileStorage {
  put(key: string, source: Readable | Buffer, options: PutOptions): Promise<StoredObject>;
  open(key: string, range?: ByteRange): Promise<OpenedObject>;
  stat(key: string): Promise<ObjectStat>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const KEY_SEGMENT = /^[a-z0-9_-][a-z0-9._-]*$/;
/** exists() for any driver: stat, with not-found meaning false. */
export async function existsByStat(storage: Pick<FileStorage, 'stat'>, key: string): Promise<boolean> {
  try {
    await storage.stat(key);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export const MAX_KEY_LENGTH = 512;

/**
 * A key is 1 to 512 characters of `[a-z0-9/._-]`, made of non-empty `/`-separated segments none of which
 * starts with a dot (so no `.`, `..` or hidden names, no leading, trailing or doubled slash).
 */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY_LENGTH && key.split('/').every((segment) => KEY_SEGMENT.test(segment));
}

export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new StorageError('INVALID_KEY', key, `invalid storage key ${JSON.stringify(key)}`);
}

/** Clamps a range to an object of `byteSize` bytes; throws RANGE_NOT_SATISFIABLE when it starts past the end. */
export function clampRange(key: string, byteSize: number, range: ByteRange | undefined): ByteRange {
  if (!range) return { start: 0, end: byteSize - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= byteSize) {
    throw new StorageError('RANGE_NOT_SATISFIABLE', key, `range ${start}-${end} of a ${byteSize}-byte object`);
  }
  return { start, end: Math.min(end, byteSize - 1) };
}

const SHA256 = /^[0-9a-f]{64}$/;
const EXTENSION = /^[a-z0-9]{1,10}$/;
const CONTENT_KEY = /^sha256\/[0-9a-f]{2}\/([0-9a-f]{64})\.[a-z0-9]{1,10}$/;

/** The content-addressed key of some bytes: `sha256/ab/abcdef….glb`. */
export function contentKey(sha256: string, extension: string): string {
  if (!SHA256.test(sha256)) throw new TypeError(`not a lowercase hex sha256: ${JSON.stringify(sha256)}`);
  if (!EXTENSION.test(extension)) throw new TypeError(`not a file extension: ${JSON.stringify(extension)}`);
  return `sha256/${sha256.slice(0, 2)}/${sha256}.${extension}`;
}

/** The sha256 of a content-addressed key, or null for any other key. */
export function sha256OfContentKey(key: string): string | null {
  return CONTENT_KEY.exec(key)?.[1] ?? null;
}

export interface ContentAddressed {
  sha256: string;
  extension: string;
  contentType: string;
}

/**
 * Stores bytes under their content key unless an object is already there (the same bytes: one object
 * however often they are uploaded). `created` tells whether this call wrote it.
 */
export async function putContentAddressed(
  storage: FileStorage,
  source: Readable | Buffer | (() => Readable),
  file: ContentAddressed,
): Promise<StoredObject & { created: boolean }> {
  const key = contentKey(file.sha256, file.extension);
  try {
    const { byteSize } = await storage.stat(key);
    return { key, byteSize, created: false };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const stored = await storage.put(key, typeof source === 'function' ? source() : source, { contentType: file.contentType });
  return { ...stored, created: true };
}
