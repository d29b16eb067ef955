/**
 * The supergraph for a benchmark: `startStack()` from @keylab/test-support plus one signed-in user, in a child
 * process or, with `inProcess`, in this one. `ownedItems` gives the user copies of default items of their own;
 * `signInAccounts` makes accounts with a password. It is ready with its URLs and the secret its gateway signs with,
 * so that a benchmark can call the subgraphs straight (they answer the gateway only). Closing removes all of it, the
 * user's uploads and the statistics rows of the visitors whose id starts with `visitorPrefix`, so a run leaves the
 * test databases as it found them.
 */
import { randomBytes } from 'node:crypto';
import type { Stack } from '@keylab/test-support';
import { serveAsChild, startChild } from './child-process';

export interface Endpoints {
  gatewayUrl: string;
  /** By their names in the supergraph (`join__graph`). */
  subgraphUrls: { users: string; keyboards: string; stats: string };
  jwksUrl: string;
  statsExchange: string;
  /** What the stack's gateway signs with: a request straight to a subgraph needs its proof (`src/gateway-proof.ts`). */
  gatewaySecret: string;
  token: string;
  /** The ids of the user's own items, newest first. */
  owned: OwnedItemIds;
  accounts: { email: string; password: string }[];
  visitorPrefix: string;
}

export interface OwnedItemIds {
  keyboards: string[];
  boxes: string[];
  kits: string[];
}

export interface BenchStackOptions {
  ownedItems?: Partial<Record<keyof OwnedItemIds, number>>;
  signInAccounts?: number;
}

export interface RunningStack extends Endpoints {
  /** The process the servers run in (this one with `inProcess`). */
  pid: number;
  close(): Promise<void>;
}

/** Copies of the default items, one second apart so that "newest first" is one fixed order. */
async function createOwnedItems(
  stack: Stack,
  ownerId: string,
  counts: BenchStackOptions['ownedItems'] = {},
): Promise<OwnedItemIds> {
  const { db } = stack.keyboards;
  const where = { ownerId: null };
  const [keyboards, boxes, kits] = await Promise.all([
    db.keyboard.findMany({ where, orderBy: { id: 'asc' } }),
    db.box.findMany({ where, orderBy: { id: 'asc' } }),
    db.kit.findMany({ where, orderBy: { id: 'asc' }, include: { keycaps: true } }),
  ]);
  const newest = Date.now();
  const copy = <T extends { boxTypeId: string; previewId: string | null }>(kind: string, rows: T[], i: number) => {
    const from = rows[i % rows.length];
    if (!from) throw new Error(`the test catalogue has no default ${kind} (run: tsx scripts/db.ts setup-test)`);
    const title = `Bench ${kind} ${String(i + 1).padStart(3, '0')}`;
    return {
      from,
      data: { ownerId, title, boxTypeId: from.boxTypeId, previewId: from.previewId, createdAt: new Date(newest - i * 1000) },
    };
  };
  const indexes = (count = 0) => Array.from({ length: count }, (_, i) => i);
  const owned: OwnedItemIds = { keyboards: [], boxes: [], kits: [] };
  for (const i of indexes(counts.keyboards)) {
    const { from, data } = copy('keyboard', keyboards, i);
    owned.keyboards.push((await db.keyboard.create({ data: { ...data, switchId: from.switchId, modelId: from.modelId } })).id);
  }
  for (const i of indexes(counts.boxes)) {
    const { from, data } = copy('box', boxes, i);
    owned.boxes.push((await db.box.create({ data: { ...data, modelId: from.modelId } })).id);
  }
  for (const i of indexes(counts.kits)) {
    const { from, data } = copy('kit', kits, i);
    const keycaps = from.keycaps.map(({ title, fileName, modelId }) => ({ title, fileName, modelId }));
    owned.kits.push((await db.kit.create({ data: { ...data, keycaps: { create: keycaps } } })).id);
  }
  return owned;
}

async function removeVisitorStatistics(visitorPrefix: string): Promise<void> {
  const { TEST_DATABASES } = await import('@keylab/test-support');
  const { createStatsDb, removeVisitors } = await import('@keylab/stats-subgraph');
  const db = createStatsDb(TEST_DATABASES.stats);
  try {
    await removeVisitors(db, { prefix: visitorPrefix });
  } finally {
    await db.$disconnect();
  }
}

/** Items first: they may name the user's uploads. A kit's keycaps go with it (ON DELETE CASCADE). */
async function removeItemsAndUploads(stack: Stack, ownerId: string): Promise<void> {
  const { db, storage } = stack.keyboards;
  const where = { ownerId };
  await db.keyboard.deleteMany({ where });
  await db.kit.deleteMany({ where });
  await db.box.deleteMany({ where });
  const uploads = await db.storedFile.findMany({ where, select: { storageKey: true } });
  await db.storedFile.deleteMany({ where });
  for (const key of new Set(uploads.map((upload) => upload.storageKey))) {
    // Content-addressed: the same bytes uploaded by someone else share the object.
    if ((await db.storedFile.count({ where: { storageKey: key } })) === 0) await storage.delete(key);
  }
}

export async function startLocalStack(options: BenchStackOptions = {}): Promise<RunningStack> {
  const { startStack } = await import('@keylab/test-support');
  const { JWKS_PATH } = await import('@keylab/users-subgraph');
  const stack = await startStack();
  const visitorPrefix = `bench-${randomBytes(6).toString('hex')}-`;
  let userId: string | undefined;
  const close = async () => {
    try {
      if (userId) await removeItemsAndUploads(stack, userId);
    } finally {
      // Removes the users createUser made (their sessions go with them).
      await stack.close();
      await removeVisitorStatistics(visitorPrefix);
    }
  };
  try {
    const user = await stack.createUser();
    userId = user.id;
    const password = `bench-${randomBytes(12).toString('base64url')}`;
    const accounts = await Promise.all(
      Array.from({ length: options.signInAccounts ?? 0 }, () => stack.createUser(['user'], { password })),
    );
    return {
      gatewayUrl: stack.gatewayUrl,
      subgraphUrls: {
        users: `${stack.users.url}/graphql`,
        keyboards: `${stack.keyboards.url}/graphql`,
        stats: `${stack.stats.url}/graphql`,
      },
      jwksUrl: `${stack.users.url}${JWKS_PATH}`,
      statsExchange: stack.statsExchange,
      gatewaySecret: stack.gatewaySecret,
      token: user.token,
      owned: await createOwnedItems(stack, user.id, options.ownedItems),
      accounts: accounts.map(({ email }) => ({ email, password })),
      visitorPrefix,
      pid: process.pid,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function startBenchStack(inProcess: boolean, options: BenchStackOptions = {}): Promise<RunningStack> {
  if (inProcess) return startLocalStack(options);
  const child = await startChild<Endpoints>('the stack process', import.meta.url, options);
  return { ...child.ready, pid: child.pid, close: child.close };
}

serveAsChild(import.meta.url, async (options: BenchStackOptions) => {
  const { pid: _pid, close, ...ready } = await startLocalStack(options);
  return { ready, close };
});
