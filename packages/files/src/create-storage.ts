import { FsStorage } from './fs-storage';
import { S3Storage, type S3StorageOptions } from './s3-storage';
import type { FileStorage } from './storage';

/** Storage settings as a service's config gives them: a folder (the default), or an S3 bucket. */
export type StorageConfig = { driver: 'fs'; root: string } | ({ driver: 's3' } & Omit<S3StorageOptions, 'client'>);

export function createStorage(config: StorageConfig): FileStorage {
  return config.driver === 'fs' ? new FsStorage(config.root) : new S3Storage(config);
}
