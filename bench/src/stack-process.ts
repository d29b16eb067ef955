/**
 * The supergraph for a benchmark: `startStack()` from @keylab/testing plus one signed-in user, run in a forked
 * child process (so that the load generator does not share an event loop with the servers it measures) or,
 * with `inProcess`, in the calling process.
 *
 * Closing the stack removes the user, their boxes and their uploads (the `StoredFile` rows, and the stored
 * objects no other row names), so a benchmark leaves the test databases and the test file store as it found them.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Endpoints {
  /** The gateway's GraphQL endpoint (`http://127.0.0.1:<port>/graphql`). */
  gatewayUrl: string;
  /** The keyboards subgraph's GraphQL endpoint. */
  keyboardsUrl: string;
  /** An access token of the benchmark's user (role `user`). */
  token: string;
}

export interface RunningStack extends Endpoints {
  /** The process the servers run in (this one with `inProcess`). */
  pid: number;
  close(): Promise<void>;
}

const SERVE_FLAG = '--serve-stack';

type FromParent = { type: 'close' };
type FromChild = { type: 'ready'; endpoints: Endpoints } | { type: 'closed' };

/** Starts the stack and a signed-in user; the whole supergraph lives in the process that calls this. */
export async function startLocalStack(): Promise<RunningStack> {
  const { startStack } = await import('@keylab/testing');
  const stack = await startStack();
  let userId: string | undefined;
  const removeUploads = async () => {
    if (!userId) return;
    const { db, storage } = stack.keyboards;
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
    } finally {
      await stack.close();
    }
  };
  try {
    const user = await stack.createUser();
    userId = user.id;
    return {
      gatewayUrl: stack.gatewayUrl,
      keyboardsUrl: `${stack.keyboards.url}/graphql`,
      token: user.token,
      pid: process.pid,
      close,
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** Child side: start the stack, report its endpoints, close it when the parent says so (or goes away). */
async function serveStack(): Promise<void> {
  const send = (message: FromChild) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  // Ctrl-C reaches both processes: the parent cleans up and tells us to close (or dies, and we clean up,
  // test user included, on the disconnect).
  process.on('SIGINT', () => {});
  const stack = await startLocalStack();
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
  await send({
    type: 'ready',
    endpoints: { gatewayUrl: stack.gatewayUrl, keyboardsUrl: stack.keyboardsUrl, token: stack.token },
  });
}

/** Parent side: fork this file as the stack process and wait for its endpoints. */
export function startChildStack(): Promise<RunningStack> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG], { stdio: 'inherit' });
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
export function startBenchStack(inProcess: boolean): Promise<RunningStack> {
  return inProcess ? startLocalStack() : startChildStack();
}

if (process.argv.includes(SERVE_FLAG)) {
  serveStack().catch((error: unknown) => {
    console.error('the stack failed to start:', error);
    process.exit(1);
  });
}
