import { setting, statsExchangeSetting, subgraphSettings, z } from '@keylab/config';

export const keyboardsSettings = subgraphSettings('keylab_keyboards', 4002).extend({
  SANDBOX: setting.bool(true),
  STATS_EXCHANGE: statsExchangeSetting(),
  /** Prefix of the list cache in Redis (one installation's cache never meets another's). */
  CACHE_PREFIX: z.string().min(1).default('keyboards'),
  /** Where model, preview and sound files are kept: a folder (fs) or an S3-compatible bucket (s3). */
  FILES_DRIVER: z.enum(['fs', 's3']).default('fs'),
  /** Default: .data/files at the repository root, wherever the process starts. */
  FILES_DIR: z.string().default(new URL('../../../.data/files', import.meta.url).pathname),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** The public origin file URLs start with: the gateway, which streams /files/* from this service. */
  FILES_PUBLIC_URL: setting.url('http://localhost:4000'),
  /** Signs the expiring URLs of uploads not yet attached to an item; unset: a new secret per start. */
  FILE_URL_SECRET: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(16).optional()),
});

export type KeyboardsConfig = z.infer<typeof keyboardsSettings>;
