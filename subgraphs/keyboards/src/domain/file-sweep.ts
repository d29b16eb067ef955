import type { FileStorage } from '@keylab/files';
import type { KeyboardsDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { tryLockContent } from './content-lock';

export interface SweepOptions {
  /** An upload nobody attached is removed this long after it was made. */
  uploadTtlSeconds: number;
  /** An attached file that nothing names any more is removed this long after the sweep first saw it so. */
  graceSeconds: number;
  /** Rows per statement (the sweep repeats a full batch until the backlog is gone). */
  batch?: number;
  /** Told about stored bytes that could not be deleted (they stay queued for the next sweep). */
  onReclaimError?(error: unknown, storageKey: string): void;
}

export interface SweepResult {
  /** Rows whose reference came back (or, from older versions, referenced rows never marked attached). */
  released: number;
  /** Attached rows that nothing names any more, marked now. */
  marked: number;
  /** Rows removed: expired uploads and files past their grace. */
  removed: number;
  /** Stored objects deleted, their last row gone. */
  reclaimed: number;
}

const DEFAULT_BATCH = 500;

/** True of a files row (alias f) that no item, keycap or switch names. */
const UNNAMED = Prisma.sql`
  NOT EXISTS (SELECT 1 FROM boxes WHERE model_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM boxes WHERE preview_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM kits WHERE preview_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM keycaps WHERE model_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM keyboards WHERE model_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM keyboards WHERE preview_id = f.id)
  AND NOT EXISTS (SELECT 1 FROM switches WHERE model_id = f.id OR sound_id = f.id OR preview_id = f.id)`;

/*
 * Every statement is one UPDATE or DELETE over rows it picks and locks with FOR UPDATE SKIP LOCKED:
 * replicas sweeping at once each take other rows, and a row that an attach holds (claimAttachments
 * updates it first, in the item's transaction) is skipped, never waited for. A row an attach changed
 * after the statement began is checked again as locked, on its own columns (attached_at,
 * unreferenced_since), which every attach sets: so it is never removed, at worst marked, and the next
 * sweep unmarks it. Rows of the default catalogue (no owner) are never touched.
 */

/** Unmarks rows something names again, and marks attached those that were named without it. */
function release(db: KeyboardsDb, batch: number): Promise<number> {
  return db.$executeRaw`
    UPDATE files SET unreferenced_since = NULL, attached_at = COALESCE(attached_at, now())
    WHERE id IN (
      SELECT f.id FROM files f
      WHERE f.owner_id IS NOT NULL AND (f.unreferenced_since IS NOT NULL OR f.attached_at IS NULL) AND NOT (${UNNAMED})
      LIMIT ${batch} FOR UPDATE SKIP LOCKED)`;
}

/** Marks attached rows that nothing names any more: their grace starts now. */
function mark(db: KeyboardsDb, batch: number): Promise<number> {
  return db.$executeRaw`
    UPDATE files SET unreferenced_since = now()
    WHERE id IN (
      SELECT f.id FROM files f
      WHERE f.owner_id IS NOT NULL AND f.attached_at IS NOT NULL AND f.unreferenced_since IS NULL AND ${UNNAMED}
      LIMIT ${batch} FOR UPDATE SKIP LOCKED)`;
}

/**
 * Deletes expired uploads and files past their grace, checking in the same statement that nothing names
 * them (a mark is only a candidate), and queues their storage keys for reclaiming.
 */
async function remove(db: KeyboardsDb, options: Required<Pick<SweepOptions, 'uploadTtlSeconds' | 'graceSeconds' | 'batch'>>) {
  const [row] = await db.$queryRaw<{ removed: number }[]>`
    WITH gone AS (
      DELETE FROM files WHERE id IN (
        SELECT f.id FROM files f
        WHERE f.owner_id IS NOT NULL
          AND ((f.attached_at IS NULL AND f.created_at < now() - make_interval(secs => ${options.uploadTtlSeconds}::float8))
            OR f.unreferenced_since < now() - make_interval(secs => ${options.graceSeconds}::float8))
          AND ${UNNAMED}
        LIMIT ${options.batch} FOR UPDATE SKIP LOCKED)
      RETURNING storage_key),
    queued AS (
      INSERT INTO file_reclaims (storage_key) SELECT DISTINCT storage_key FROM gone ON CONFLICT DO NOTHING)
    SELECT count(*)::int AS removed FROM gone`;
  return row?.removed ?? 0;
}

/**
 * Deletes the queued stored objects that no row names, one at a time: the queue row is locked (SKIP
 * LOCKED: one replica per key) and so is the content, exclusively and without waiting (recording an
 * upload of the same bytes holds it shared, so this waits for the next sweep); the check that no row
 * names the key and the deletion happen while both are held.
 */
async function reclaim(db: KeyboardsDb, storage: FileStorage, options: SweepOptions & { batch: number }) {
  const queued = await db.fileReclaim.findMany({ orderBy: { queuedAt: 'asc' }, take: options.batch });
  let done = 0;
  let reclaimed = 0;
  for (const { storageKey } of queued) {
    try {
      const deleted = await db.$transaction(
        async (tx) => {
          const claimed = await tx.$queryRaw<unknown[]>`
            SELECT 1 FROM file_reclaims WHERE storage_key = ${storageKey} FOR UPDATE SKIP LOCKED`;
          if (!claimed.length || !(await tryLockContent(tx, storageKey))) return null;
          const named = (await tx.storedFile.count({ where: { storageKey } })) > 0;
          if (!named) await storage.delete(storageKey);
          await tx.fileReclaim.delete({ where: { storageKey } });
          return !named;
        },
        { timeout: 60_000 },
      );
      if (deleted !== null) done += 1;
      if (deleted) reclaimed += 1;
    } catch (error) {
      options.onReclaimError?.(error, storageKey);
    }
  }
  return { more: queued.length === options.batch && done > 0, reclaimed };
}

/** One pass of the file sweep (see the statements above); safe to run on every replica at once. */
export async function sweepFiles(db: KeyboardsDb, storage: FileStorage, options: SweepOptions): Promise<SweepResult> {
  const batch = options.batch ?? DEFAULT_BATCH;
  const all = async (step: () => Promise<number>) => {
    let total = 0;
    for (let done = batch; done === batch; total += done) done = await step();
    return total;
  };
  const released = await all(() => release(db, batch));
  const marked = await all(() => mark(db, batch));
  const removed = await all(() => remove(db, { ...options, batch }));
  let reclaimed = 0;
  for (let more = true; more;) {
    const pass = await reclaim(db, storage, { ...options, batch });
    reclaimed += pass.reclaimed;
    more = pass.more;
  }
  return { released, marked, removed, reclaimed };
}
