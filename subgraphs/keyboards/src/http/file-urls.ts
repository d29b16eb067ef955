import { randomBytes } from 'node:crypto';
import { signUrl } from '@keylab/files';
import { isPublicFile, type StoredFileRow } from '../domain/stored-files';

export interface FileUrls {
  /** Public for attached and default files; signed for 15 minutes for an upload not attached yet. */
  of(file: Pick<StoredFileRow, 'storageKey' | 'ownerId' | 'attachedAt'>): string;
  secret: string;
}

export interface FileUrlOptions {
  /** The public origin: the gateway (or nginx), which passes /files/* to this service. */
  publicUrl: string;
  /** Where the bucket's objects are public (a CDN, or the bucket itself): public files are linked there. */
  cdnUrl?: string;
  /** Signs the URLs of uploads not attached yet; a new one when unset. */
  secret?: string;
}

const SIGNED_URL_TTL_MS = 15 * 60_000;

/**
 * URLs of stored files. A public file is `<cdnUrl>/<key>` when there is a CDN, else `<publicUrl>/files/<key>`.
 * An upload nobody attached yet is always a signed, expiring `/files` URL under the public origin: only this
 * service can check that signature, so it never points at the CDN.
 */
export function fileUrls({ publicUrl, cdnUrl, secret = randomBytes(32).toString('base64url') }: FileUrlOptions): FileUrls {
  const base = publicUrl.replace(/\/$/, '');
  const cdn = cdnUrl?.replace(/\/$/, '');
  return {
    secret,
    of(file) {
      if (!isPublicFile(file)) {
        return `${base}${signUrl(`/files/${file.storageKey}`, secret, new Date(Date.now() + SIGNED_URL_TTL_MS))}`;
      }
      return cdn ? `${cdn}/${file.storageKey}` : `${base}/files/${file.storageKey}`;
    },
  };
}
