import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { errors } from '@keylab/errors';
import { FileRejected } from '@keylab/files';
import type { Redis } from '@keylab/redis';
import type { KeyboardsDb } from '../db/client';
import { heldUploadBytes } from './stored-files';

/** While Redis cannot count, uploads are refused (fail closed) for this long. */
const UNKNOWN_RETRY_MS = 30_000;

export interface UploadLimitSettings {
  /** Prefix of the limiter's keys in Redis. */
  prefix: string;
  /** Uploads each account may have inspected per window (refused files count: they cost the same). */
  points: number;
  windowSeconds: number;
  /** Bytes an account's unattached uploads may hold at once. */
  quotaBytes: number;
}

export interface UploadLimits {
  /** Before the body is read: RATE_LIMITED once the window's uploads are used up, upload_quota when the file cannot fit. */
  admit(ownerId: string, declaredBytes: number): Promise<void>;
  /** Once the body is in, before inspection: counts one upload (RATE_LIMITED past the limit). */
  count(ownerId: string): Promise<void>;
  /** Bytes an upload may add to the owner's unattached uploads; recordUpload checks it again, authoritatively. */
  readonly quotaBytes: number;
}

export function uploadLimits(redis: Redis, db: KeyboardsDb, settings: UploadLimitSettings): UploadLimits {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${settings.prefix}:rl:uploads`,
    points: settings.points,
    duration: settings.windowSeconds,
  });
  const refusal = (error: unknown) =>
    error instanceof RateLimiterRes ? errors.rateLimited(error.msBeforeNext) : errors.rateLimited(UNKNOWN_RETRY_MS);

  return {
    quotaBytes: settings.quotaBytes,
    async admit(ownerId, declaredBytes) {
      const state = await limiter.get(ownerId).catch((error: unknown) => Promise.reject(refusal(error)));
      if (state && state.remainingPoints <= 0) throw refusal(state);
      const held = await heldUploadBytes(db, ownerId);
      if (held + declaredBytes > settings.quotaBytes)
        throw new FileRejected('upload_quota', { limit: settings.quotaBytes, held });
    },
    async count(ownerId) {
      await limiter.consume(ownerId).catch((error: unknown) => Promise.reject(refusal(error)));
    },
  };
}
