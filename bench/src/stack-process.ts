/**
 * The supergraph for a benchmark: `startStack()` from @keylab/test-support plus one signed-in user, run in a forked
 * child process (so that the load generator does not share an event loop with the servers it measures) or,
 * with `inProcess`, in the calling process. With `ownedItems`, the user also gets a catalogue of their own
 * (keyboards, boxes and kits copied from the default ones, files included), written straight to the database.
 * With `signInAccounts`, that many more accounts are made with a password (Argon2id, as sign-up hashes it).
 *
 * Closing the stack removes the user, their keyboards, kits (with their keycaps), boxes and uploads (the
 * `StoredFile` rows, and the stored objects no other row names), the sign-in accounts (their sessions go with
 * them), and the statistics rows of the visitors whose id starts with `visitorPrefix`, so a benchmark leaves the
 * test databases and the test file store as it found them.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Stack } from '@keylab/test-support';

export interface Endpoints {
  /** The gateway's GraphQL endpoint (`http://127.0.0.1:<port>/graphql`). */
  gatewayUrl: string;
  /** The keyboards subgraph's GraphQL endpoint. */
  keyboardsUrl: string;
  /** Every subgraph's GraphQL endpoint, by its name in the supergraph (`join__graph`). */
  subgraphUrls: { users: string; keyboards: string; stats: string };
  /** The users service's public keys (what the gateway's JWKS_URL points at). */
  jwksUrl: string;
  /** The stack's own statistics exchange (its gateway publishes operation events there, its stats consumes it). */
  statsExchange: string;
  /** The benchmark's user. */
  userId: string;
  /** An access token of the benchmark's user (role `user`). */
  token: string;
  /** With `ownedItems`: the ids of the user's items, newest first. */
  owned: OwnedItemIds;
  /** With `signInAccounts`: accounts that sign in with email and password (all with the same password). */
  accounts: SignInAccount[];
  /**
   * Visitor ids (`X-Visitor-Id`, 16 to 64 of `A-Z a-z 0-9 _ -`) that start with this are the benchmark's: closing
   * the stack removes their statistics rows (events, 15-minute slots, visits).
   */
  visitorPrefix: string;
}

export interface SignInAccount {
  email: string;
  password: string;
}

/** How many items of each kind the benchmark's user owns. */
export interface OwnedItems {
  keyboards?: number;
  boxes?: number;
  kits?: number;
}

export interface OwnedItemIds {
  keyboards: string[];
  boxes: string[];
  kits: string[];
}

export interface BenchStackOptions {
  ownedItems?: OwnedItems;
  /** Accounts with a password, for sign-in load. */
  signInAccounts?: number;
}

export interface RunningStack extends Endpoints {
  /** The process the servers run in (this one with `inProcess`). */
  pid: number;
  close(): Promise<void>;
}

const SERVE_FLAG = '--serve-stack';
const OPTIONS_FLAG = '--stack-options=';

type FromParent = { type: 'close' };
type FromChild = { type: 'ready'; endpoints: Endpoints } | { type: 'closed' };

type KeyboardsDb = Stack['keyboards']['db'];
type UsersDb = Stack['users']['db'];

/**
 * `count` accounts (role `user`) sharing one random password, each with its own Argon2id hash made by the users
 * service's own `hashPassword`. Their ids go to `made` before they are written, for the cleanup.
 */
async function createSignInAccounts(db: UsersDb, count: number, made: string[]): Promise<SignInAccount[]> {
  if (count <= 0) return [];
  const { hashPassword } = await import('@keylab/users-subgraph');
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  const rows = await Promise.all(
    Array.from({ length: count }, async () => {
      const id = crypto.randomUUID();
      return {
        id,
        email: `bench-${id}@example.test`,
        nickname: `bench_${id.slice(0, 8)}`,
        passwordHash: await hashPassword(password),
      };
    }),
  );
  made.push(...rows.map((row) => row.id));
  await db.user.createMany({ data: rows });
  await db.userRole.createMany({ data: rows.map(({ id }) => ({ userId: id, roleName: 'user' })) });
  return rows.map(({ email }) => ({ email, password }));
}

/** Removes the statistics rows of the benchmark's visitors, once the stack (its stats consumer included) is closed. */
async function removeVisitorStatistics(visitorPrefix: string): Promise<void> {
  const { TEST_DATABASES } = await import('@keylab/test-support');
  const { createStatsDb } = await import('@keylab/stats-subgraph');
  const db = createStatsDb(TEST_DATABASES.stats);
  try {
    const where = { visitorId: { startsWith: visitorPrefix } };
    await db.event.deleteMany({ where });
    await db.activitySlot.deleteMany({ where });
    await db.visit.deleteMany({ where });
  } finally {
    await db.$disconnect();
  }
}

/**
 * Copies of the default catalogue's items (box type, switch, model and preview; a kit's keycaps with their
 * models), owned by `ownerId`, one second apart so that "newest first" is one fixed order.
 */
async function createOwnedItems(db: KeyboardsDb, ownerId: string, counts: OwnedItems): Promise<OwnedItemIds> {
  const owned: OwnedItemIds = { keyboards: [], boxes: [], kits: [] };
  const [keyboards, boxes, kits] = await Promise.all([
    db.keyboard.findMany({ where: { ownerId: null }, orderBy: { id: 'asc' } }),
    db.box.findMany({ where: { ownerId: null }, orderBy: { id: 'asc' } }),
    db.kit.findMany({ where: { ownerId: null }, orderBy: { id: 'asc' }, include: { keycaps: true } }),
  ]);
  const newest = Date.now();
  const at = (i: number) => new Date(newest - i * 1000);
  const pick = <T>(rows: T[], i: number, kind: string): T => {
    const row = rows[i % rows.length];
    if (!row) throw new Error(`the test catalogue has no default ${kind} to copy (run: tsx scripts/db.ts setup-test)`);
    return row;
  };
  const number = (i: number) => String(i + 1).padStart(3, '0');
  for (let i = 0; i < (counts.keyboards ?? 0); i += 1) {
    const from = pick(keyboards, i, 'keyboard');
    const { id } = await db.keyboard.create({
      data: {
        ownerId,
        title: `Bench keyboard ${number(i)}`,
        boxTypeId: from.boxTypeId,
        switchId: from.switchId,
        modelId: from.modelId,
        previewId: from.previewId,
        createdAt: at(i),
      },
    });
    owned.keyboards.push(id);
  }
  for (let i = 0; i < (counts.boxes ?? 0); i += 1) {
    const from = pick(boxes, i, 'box');
    const { id } = await db.box.create({
      data: {
        ownerId,
        title: `Bench box ${number(i)}`,
        boxTypeId: from.boxTypeId,
        modelId: from.modelId,
        previewId: from.previewId,
        createdAt: at(i),
      },
    });
    owned.boxes.push(id);
  }
  for (let i = 0; i < (counts.kits ?? 0); i += 1) {
    const from = pick(kits, i, 'kit');
    const { id } = await db.kit.create({
      data: {
        ownerId,
        title: `Bench kit ${number(i)}`,
        boxTypeId: from.boxTypeId,
        previewId: from.previewId,
        createdAt: at(i),
        keycaps: { create: from.keycaps.map(({ title, fileName, modelId }) => ({ title, fileName, modelId })) },
      },
    });
    owned.kits.push(id);
  }
  return owned;
}

/** Starts the stack and a signed-in user; the whole supergraph lives in the process that calls this. */
export async function startLocalStack(options: BenchStackOptions = {}): Promise<RunningStack> {
  const { startStack } = await import('@keylab/test-support');
  const { JWKS_PATH } = await import('@keylab/users-subgraph');
  const stack = await startStack();
  let userId: string | undefined;
  const accountIds: string[] = [];
  const visitorPrefix = `bench-${randomBytes(6).toString('hex')}-`;
  const removeUploads = async () => {
    if (!userId) return;
    const { db, storage } = stack.keyboards;
    // Items first: they may name the user's uploads. A kit's keycaps go with it (ON DELETE CASCADE).
    await db.keyboard.deleteMany({ where: { ownerId: userId } });
    await db.kit.deleteMany({ where: { ownerId: userId } });
    await db.box.deleteMany({ where: { ownerId: userId } });
    const uploads = await db.storedFile.findMany({ where: { ownerId: userId }, select: { storageKey: true } });
    if (uploads.length === 0) return;
    await db.storedFile.deleteMany({ where: { ownerId: userId } });
    for (const key of new Set(uploads.map((upload) => upload.storageKey))) {
      // Content-addressed: the same bytes uploaded by someone else share the object.
      if ((await db.storedFile.count({ where: { storageKey: key } })) === 0) await storage.delete(key);
    }
  };
  const close = async () => {
    try {
      await removeUploads();
      if (accountIds.length) await stack.users.db.user.deleteMany({ where: { id: { in: accountIds } } });
    } finally {
      await stack.close();
      await removeVisitorStatistics(visitorPrefix);
    }
  };
  try {
    const user = await stack.createUser();
    userId = user.id;
    const owned = await createOwnedItems(stack.keyboards.db, user.id, options.ownedItems ?? {});
    const accounts = await createSignInAccounts(stack.users.db, options.signInAccounts ?? 0, accountIds);
    return {
      gatewayUrl: stack.gatewayUrl,
      keyboardsUrl: `${stack.keyboards.url}/graphql`,
      subgraphUrls: {
        users: `${stack.users.url}/graphql`,
        keyboards: `${stack.keyboards.url}/graphql`,
        stats: `${stack.stats.url}/graphql`,
      },
      jwksUrl: `${stack.users.url}${JWKS_PATH}`,
      statsExchange: stack.statsExchange,
      userId: user.id,
      token: user.token,
      owned,
      accounts,
      visitorPrefix,
      pid: process.pid,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Child side: start the stack, report its endpoints, close it when the parent says so (or goes away). */
async function serveStack(options: BenchStackOptions): Promise<void> {
  const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  // Ctrl-C reaches both processes: the parent cleans up and tells us to close (or dies, and we clean up,
  // test user included, on the disconnect).
  process.on('SIGINT', () => {});
  const stack = await startLocalStack(options);
  if (!process.connected) {
    // The parent went away while the stack was starting.
    await stack.close();
    process.exit(0);
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= stack.close().catch((error: unknown) => {
      console.error('closing the stack failed:', error);
    }));
  process.on('message', async (message: FromParent) => {
    if (message.type !== 'close') return;
    await close();
    await send({ type: 'closed' });
    process.exit(0);
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  const { pid: _pid, close: _close, ...endpoints } = stack;
  await send({ type: 'ready', endpoints });
}

/** Parent side: fork this file as the stack process and wait for its endpoints. */
export function startChildStack(options: BenchStackOptions = {}): Promise<RunningStack> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, `${OPTIONS_FLAG}${JSON.stringify(options)}`], {
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the stack process exited (code ${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: FromChild) => {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      let closing: Promise<void> | undefined;
      resolve({
        ...message.endpoints,
        pid: child.pid!,
        close: () =>
          (closing ??= new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill(), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send({ type: 'close' } satisfies FromParent);
          })),
      });
    });
  });
}

/** The stack in a child process, or with `inProcess` in this one. */
export function startBenchStack(inProcess: boolean, options: BenchStackOptions = {}): Promise<RunningStack> {
  return inProcess ? startLocalStack(options) : startChildStack(options);
}

if (process.argv.includes(SERVE_FLAG)) {
  const raw = process.argv.find((arg) => arg.startsWith(OPTIONS_FLAG))?.slice(OPTIONS_FLAG.length);
  serveStack(raw ? (JSON.parse(raw) as BenchStackOptions) : {}).catch((error: unknown) => {
    console.error('the stack failed to start:', error);
    process.exit(1);
  });
}
