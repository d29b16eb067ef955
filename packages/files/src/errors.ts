import type { Locale } from '@keylab/errors';
import { formatBytes, translateFile, type FileMessageKey } from './messages';

/** Stable reasons a file is refused (`error.reason` in the JSON answer of the upload endpoint). */
export const REJECT_REASONS = [
  'empty',
  'too_large',
  'not_glb',
  'glb_version',
  'glb_length',
  'glb_chunks',
  'gltf_invalid',
  'model_empty',
  'not_webp',
  'image_invalid',
  'image_too_large',
  'not_audio',
  'no_file',
  'too_many_files',
  'malformed',
  'unsupported_media_type',
  'unknown_kind',
] as const satisfies readonly FileMessageKey[];
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * A file (or an upload request) that is refused, with a stable reason, the HTTP status that goes with it
 * and a message in each language. `message` is the English one; `messageIn(locale)` gives the others.
 * Parameter `limit` is a byte count, written out per language ("64 MiB", "64 МиБ").
 */
export class FileRejected extends Error {
  override readonly name = 'FileRejected';
  /** The error code of the JSON answer: NOT_FOUND for an unknown kind of file, else BAD_USER_INPUT. */
  readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND';
  readonly status: 400 | 404 | 413;

  constructor(
    readonly reason: RejectReason,
    readonly params: Record<string, string | number> = {},
    /** For gltf_invalid: the validator's first issues ("CODE at /pointer: message"). */
    readonly details: readonly string[] = [],
  ) {
    super('');
    this.status = reason === 'too_large' ? 413 : reason === 'unknown_kind' ? 404 : 400;
    this.code = this.status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT';
    this.message = this.messageIn('en');
  }

  messageIn(locale: Locale): string {
    const params = { ...this.params };
    if (typeof params.limit === 'number') params.limit = formatBytes(params.limit, locale);
    return translateFile(locale, this.reason, params);
  }
}

export type StorageErrorCode = 'NOT_FOUND' | 'INVALID_KEY' | 'RANGE_NOT_SATISFIABLE';

/** An error of a FileStorage driver that callers are expected to handle (anything else is a failure). */
export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export function fileNotFound(key: string): StorageError {
  return new StorageError('NOT_FOUND', key, `no stored file with key ${JSON.stringify(key)}`);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof StorageError && error.code === 'NOT_FOUND';
}
