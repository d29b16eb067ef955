import { randomBytes } from 'node:crypto';
import { signUrl } from '@keylab/files';
import { isPublicFile, type StoredFileRow } from '../domain/stored-files';

export interface FileUrls {
  /** Public for attached and default files; signed for 15 minutes for an upload not attached yet. */
  of(file: Pick<StoredFileRow, 'storageKey' | 'ownerId' | 'attachedAt'>): string;
  secret: string;
}

const SIGNED_URL_TTL_MS = 15 * 60_000;

/** URLs of stored files under the public origin (the gateway, which passes /files/* through to this service). */
export function fileUrls(publicUrl: string, secret = randomBytes(32).toString('base64url')): FileUrls {
  const base = publicUrl.replace(/\/$/, '');
  return {
    secret,
    of(file) {
      const path = `/files/${file.storageKey}`;
      return `${base}${isPublicFile(file) ? path : signUrl(path, secret, new Date(Date.now() + SIGNED_URL_TTL_MS))}`;
    },
  };
}
