import { createStorage, type FileStorage } from '@keylab/files';
import type { KeyboardsConfig } from './config';

/** Where models, previews and sounds are kept: a folder, or an S3-compatible bucket. */
export function fileStorage(config: KeyboardsConfig): FileStorage {
  if (config.FILES_DRIVER === 's3') {
    if (!config.S3_BUCKET) throw new Error('FILES_DRIVER=s3 needs S3_BUCKET');
    return createStorage({
      driver: 's3',
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: Boolean(config.S3_ENDPOINT),
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return createStorage({ driver: 'fs', root: config.FILES_DIR });
}
