import type { Logger } from '@keylab/logger';
import type { Redis } from '@keylab/redis';

/** How long an id stays marked as sent: longer than any redelivery or retry can take. */
export const SENT_TTL_SECONDS = 7 * 24 * 60 * 60;
/** How long a send may hold its claim; a worker that dies mid-send frees the id after this. */
export const CLAIM_TTL_SECONDS = 5 * 60;

export const sentKey = (id: string) => `email:sent:${id}`;

/** `sent`: already sent, skip it. `busy`: another delivery of the same id is sending it right now. */
export type Claim = { state: 'claimed'; token: string | undefined } | { state: 'sent' } | { state: 'busy' };

// Deletes the claim only if it is still ours (it may have expired and been taken by another delivery).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * At-most-once bookkeeping per email request id, in Redis: `sending:<token>` while one delivery sends,
 * then `sent` for 7 days. Ids being sent in this process are also kept in memory, so duplicates arriving
 * together are caught even while Redis is down; then a redelivery after a send may be sent again, which
 * beats not sending at all.
 */
export function createDeduplicator(redis: Redis, logger: Logger) {
  const local = new Set<string>();

  return {
    async claim(id: string): Promise<Claim> {
      if (local.has(id)) return { state: 'busy' };
      const token = crypto.randomUUID();
      try {
        const claimed = await redis.set(sentKey(id), `sending:${token}`, 'EX', CLAIM_TTL_SECONDS, 'NX');
        if (!claimed) {
          const value = await redis.get(sentKey(id));
          if (value === 'sent') return { state: 'sent' };
          // The claim vanished between the two calls: its sender failed and released it; try again later.
          return { state: 'busy' };
        }
        local.add(id);
        return { state: 'claimed', token };
      } catch (error) {
        logger.warn({ messageId: id, err: (error as Error).message }, 'redis unavailable: sending without the duplicate check');
        local.add(id);
        return { state: 'claimed', token: undefined };
      }
    },

    /** After a successful send. */
    async markSent(id: string): Promise<void> {
      local.delete(id);
      try {
        await redis.set(sentKey(id), 'sent', 'EX', SENT_TTL_SECONDS);
      } catch (error) {
        logger.warn({ messageId: id, err: (error as Error).message }, 'redis unavailable: could not record a sent email');
      }
    },

    /** After a failed send, so a later delivery may try again. */
    async release(id: string, token: string | undefined): Promise<void> {
      local.delete(id);
      if (!token) return;
      try {
        await redis.eval(RELEASE, 1, sentKey(id), `sending:${token}`);
      } catch (error) {
        // The claim expires by itself.
        logger.warn({ messageId: id, err: (error as Error).message }, 'redis unavailable: could not release a claim');
      }
    },
  };
}

export type Deduplicator = ReturnType<typeof createDeduplicator>;
