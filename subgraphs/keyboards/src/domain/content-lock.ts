import type { Prisma } from '../db/generated/client';

type Tx = Prisma.TransactionClient;

// Two-key advisory locks: a namespace of this service, and a hash of the key (a collision only makes
// two unrelated keys wait for each other).
const CONTENT = 0x6b6c6631;
const UPLOADER = 0x6b6c6632;

/**
 * Held while a row naming stored bytes is written, until the transaction ends: the file sweep deletes
 * bytes only under the exclusive form, after checking that no row names them.
 */
export async function lockContentShared(tx: Tx, storageKey: string): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock_shared(${CONTENT}::int, hashtext(${storageKey}))::text`;
}

/** The exclusive form, without waiting: false while an upload of these bytes is being recorded. */
export async function tryLockContent(tx: Tx, storageKey: string): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ locked: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(${CONTENT}::int, hashtext(${storageKey})) AS locked`;
  return row?.locked === true;
}

/** One uploader's uploads are recorded one at a time, so that the quota is checked against what is there. */
export async function lockUploader(tx: Tx, ownerId: string): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${UPLOADER}::int, hashtext(${ownerId}))::text`;
}
