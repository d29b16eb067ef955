/**
 * A benchmark's own rows beside the test catalogue: a user signed in through the users subgraph, optionally with
 * copies of default items of their own (`ownedItems`) and accounts with a password (`signInAccounts`), written
 * straight to the test databases. `remove` deletes them again with the user's uploads and the statistics rows of
 * the visitors whose id starts with the run's prefix, so a run leaves the test databases as it found them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { gatewayProof } from './gateway-proof';
import { queryData } from './graphql';

export interface OwnedItemIds {
  keyboards: string[];
  boxes: string[];
  kits: string[];
}

export interface BenchDataOptions {
  ownedItems?: Partial<Record<keyof OwnedItemIds, number>>;
  signInAccounts?: number;
}

export interface BenchData {
  token: string;
  owned: OwnedItemIds;
  accounts: { email: string; password: string }[];
  remove(): Promise<void>;
}

interface Where {
  /** The users subgraph's /graphql, called as the gateway calls it. */
  usersUrl: string;
  gatewaySecret: string;
  visitorPrefix: string;
}

const SIGN_IN = 'mutation SignIn($input: SignInInput!) { signIn(input: $input) { accessToken } }';

async function openStores() {
  const { parseConfig } = await import('@keylab/config');
  const { TEST_DATABASES, TEST_FILES_DIR } = await import('@keylab/test-support');
  const { createUsersDb } = await import('@keylab/users-subgraph/seed');
  const { createKeyboardsDb, fileStorage, keyboardsSettings } = await import('@keylab/keyboards-subgraph/seed');
  return {
    users: createUsersDb(TEST_DATABASES.users),
    keyboards: createKeyboardsDb(TEST_DATABASES.keyboards),
    storage: fileStorage(parseConfig(keyboardsSettings, { ...process.env, FILES_DIR: TEST_FILES_DIR })),
    statsUrl: TEST_DATABASES.stats,
  };
}

type Stores = Awaited<ReturnType<typeof openStores>>;

/** An account as sign-up makes one (its own Argon2id hash), written straight to the users database. */
async function createAccount(stores: Stores, password: string): Promise<{ id: string; email: string }> {
  const { hashPassword } = await import('@keylab/users-subgraph');
  const id = randomUUID();
  const email = `bench-${id}@example.test`;
  const data = { id, email, nickname: `bench_${id.slice(0, 8)}`, passwordHash: await hashPassword(password) };
  await stores.users.user.create({ data: { ...data, roles: { create: [{ roleName: 'user' }] } } });
  return { id, email };
}

async function signIn(where: Where, email: string, password: string): Promise<string> {
  const headers = gatewayProof(where.gatewaySecret)({ 'x-client-ip': '127.0.0.1' });
  const input = { email, password, deviceLabel: 'KeyLab benchmark' };
  const { data } = await queryData<{ signIn: { accessToken: string } }>('signing in', where.usersUrl, headers, SIGN_IN, {
    input,
  });
  return data.signIn.accessToken;
}

/** Copies of the default items, one second apart so that "newest first" is one fixed order. */
async function createOwnedItems(
  { keyboards: db }: Stores,
  ownerId: string,
  counts: BenchDataOptions['ownedItems'] = {},
): Promise<OwnedItemIds> {
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

/** Items first: they may name the user's uploads. A kit's keycaps go with it (ON DELETE CASCADE). */
async function removeItemsAndUploads({ keyboards: db, storage }: Stores, ownerId: string): Promise<void> {
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

async function removeVisitorStatistics(statsUrl: string, visitorPrefix: string): Promise<void> {
  const { createStatsDb, removeVisitors } = await import('@keylab/stats-subgraph');
  const db = createStatsDb(statsUrl);
  try {
    await removeVisitors(db, { prefix: visitorPrefix });
  } finally {
    await db.$disconnect();
  }
}

/** Call once every process of the stack has stopped: the statistics consumer may still be writing until then. */
async function removeAll(stores: Stores, userIds: string[], visitorPrefix: string): Promise<void> {
  try {
    if (userIds[0]) await removeItemsAndUploads(stores, userIds[0]);
    // Their sessions go with them.
    if (userIds.length) await stores.users.user.deleteMany({ where: { id: { in: userIds } } });
    await removeVisitorStatistics(stores.statsUrl, visitorPrefix);
  } finally {
    await Promise.all([stores.users.$disconnect(), stores.keyboards.$disconnect()]);
  }
}

export async function createBenchData(where: Where, options: BenchDataOptions): Promise<BenchData> {
  const stores = await openStores();
  const userIds: string[] = [];
  const remove = () => removeAll(stores, userIds, where.visitorPrefix);
  try {
    const password = `bench-${randomBytes(12).toString('base64url')}`;
    const user = await createAccount(stores, password);
    userIds.push(user.id);
    const accounts = await Promise.all(
      Array.from({ length: options.signInAccounts ?? 0 }, () => createAccount(stores, password)),
    );
    userIds.push(...accounts.map((account) => account.id));
    return {
      token: await signIn(where, user.email, password),
      owned: await createOwnedItems(stores, user.id, options.ownedItems),
      accounts: accounts.map(({ email }) => ({ email, password })),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
