import { setting, statsExchangeSetting, subgraphSettings, z } from '@keylab/config';

/** `/internal-files/`: an absolute path prefix of plain segments, ending with a slash. */
const ACCEL_PREFIX = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/;

export const keyboardsSettings = subgraphSettings('keylab_keyboards', 4002)
  .extend({
    STATS_EXCHANGE: statsExchangeSetting(),
    /** Prefix of the list cache and the upload limits in Redis (one installation's keys never meet another's). */
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
    /** The public origin file URLs start with: the gateway (or nginx in front of it), which passes /files/* to this service. */
    FILES_PUBLIC_URL: setting.url('http://localhost:4000'),
    /**
     * With FILES_DRIVER=s3: public files (default and attached ones) are linked at `<FILES_CDN_URL>/<content key>`,
     * a CDN in front of the bucket or the bucket's own public URL, so their bytes never pass through Node.
     * Uploads not attached yet keep their signed URL under FILES_PUBLIC_URL. Unset: every URL is FILES_PUBLIC_URL's.
     */
    FILES_CDN_URL: setting.unsetWhenEmpty(
      z
        .url({ protocol: /^https?$/ })
        .refine((url) => !/[?#]/.test(url), 'must have no query or fragment')
        .transform((url) => url.replace(/\/+$/, '')),
    ),
    /**
     * With FILES_DRIVER=fs behind nginx: an authorised GET /files/<key> is answered with its headers and
     * `X-Accel-Redirect: <prefix><key>`, and nginx sends the bytes from its internal location of that prefix over
     * FILES_DIR (docker/nginx/keylab.conf). Unset: the bytes stream through Node, as under `npm start`.
     */
    FILES_ACCEL_REDIRECT: setting.unsetWhenEmpty(
      z.string().regex(ACCEL_PREFIX, 'must be a path prefix that starts and ends with a slash, such as /internal-files/'),
    ),
    /** Signs the expiring URLs of uploads not yet attached to an item; unset: a new secret per start. */
    FILE_URL_SECRET: setting.unsetWhenEmpty(z.string().min(16)),
    /** Bytes one account's uploads may hold while no item names them yet (default 256 MiB: four of the largest models). */
    UPLOAD_QUOTA_BYTES: z.coerce.number().int().min(1).default(268_435_456),
    /** Uploads one account may have inspected per UPLOAD_RATE_WINDOW_SECONDS, refused ones included (counted in Redis). */
    UPLOAD_RATE_LIMIT: z.coerce.number().int().min(1).default(1000),
    UPLOAD_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
    /** Uploads this process inspects at once; others wait for a slot up to UPLOAD_INSPECTION_WAIT_MS, then get 503. */
    UPLOAD_INSPECTIONS: z.coerce.number().int().min(1).default(4),
    UPLOAD_INSPECTION_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
    /** An upload no mutation attached is removed (row, and bytes nothing else names) after this many hours. */
    UPLOAD_TTL_HOURS: z.coerce.number().positive().default(24),
    /** A file nothing names any more (its item deleted, its file replaced) stops being served and is removed after this grace. */
    FILE_GRACE_SECONDS: z.coerce.number().int().min(0).default(600),
    /** How often the file sweep runs (every replica runs it; they share the work). */
    FILE_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  })
  .superRefine((config, context) => {
    if (config.FILES_DRIVER === 's3' && !config.S3_BUCKET)
      context.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'FILES_DRIVER=s3 needs a bucket' });
    const needs = (name: 'FILES_CDN_URL' | 'FILES_ACCEL_REDIRECT', driver: 'fs' | 's3', why: string) => {
      if (config[name] !== undefined && config.FILES_DRIVER !== driver)
        context.addIssue({ code: 'custom', path: [name], message: `needs FILES_DRIVER=${driver}: ${why}` });
    };
    needs('FILES_CDN_URL', 's3', "it links the bucket's objects (a CDN in front of the gateway is FILES_PUBLIC_URL)");
    needs('FILES_ACCEL_REDIRECT', 'fs', 'nginx serves the bytes from the files folder');
  })
  .meta({ requiredInProduction: ['FILE_URL_SECRET', 'GATEWAY_SECRET'] });

export type KeyboardsConfig = z.infer<typeof keyboardsSettings>;
