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
  'sound_invalid',
  'upload_quota',
  'busy',
  'no_file',
  'too_many_files',
  'malformed',
  'unsupported_media_type',
  'unknown_kind',
] as const satisfies readonly FileMessageKey[];
export type RejectReason = (typeof REJECT_REASONS)[number];

const STATUS: Partial<Record<RejectReason, 404 | 413 | 503>> = {
  too_large: 413,
  upload_quota: 413,
  unknown_kind: 404,
  busy: 503,
};

/** Parameters that are byte counts, written out per language ("64 MiB", "64 МиБ"). */
const BYTE_PARAMS = ['limit', 'held'];

/**
 * A file (or an upload request) that is refused, with a stable reason, the HTTP status that goes with it
 * and a message in each language. `message` is the English one; `messageIn(locale)` gives the others.
 * For `busy`, parameter `retryAfterSeconds` goes into the answer (and its Retry-After header).
 */
export class FileRejected extends Error {
  override readonly name = 'FileRejected';
  /** The error code of the JSON answer: NOT_FOUND for an unknown kind of file, SERVICE_UNAVAILABLE when busy, else BAD_USER_INPUT. */
  readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'SERVICE_UNAVAILABLE';
  readonly status: 400 | 404 | 413 | 503;

  constructor(
    readonly reason: RejectReason,
    readonly params: Record<string, string | number> = {},
    /** For gltf_invalid: the validator's first issues ("CODE at /pointer: message"); for sound_invalid: what is wrong. */
    readonly details: readonly string[] = [],
  ) {
    super('');
    this.status = STATUS[reason] ?? 400;
    this.code = this.status === 404 ? 'NOT_FOUND' : this.status === 503 ? 'SERVICE_UNAVAILABLE' : 'BAD_USER_INPUT';
    this.message = this.messageIn('en');
  }

  messageIn(locale: Locale): string {
    const params = { ...this.params };
    for (const name of BYTE_PARAMS) {
      const value = params[name];
      if (typeof value === 'number') params[name] = formatBytes(value, locale);
    }
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
