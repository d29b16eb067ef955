/**
 * How every benchmark ends: it has printed its tables and writes no result file; whatever it started is closed (latest
 * first) at the end, on an error and on Ctrl-C or SIGTERM; the exit code is 0 on success and 1 on an error.
 */
interface Closable {
  close(): Promise<void>;
}

const closers: { name: string; close(): Promise<void> }[] = [];
const loads = new Set<() => void>();
const startedAt = Date.now();
let interrupted = false;

export const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

/** Closes `thing` when the run ends, latest first; a promise of one once it is up (its failure is the caller's). */
export function closeAtEnd<T extends Closable | Promise<Closable>>(name: string, thing: T): T {
  const started = Promise.resolve(thing).catch(() => undefined);
  closers.push({ name, close: async () => (await started)?.close() });
  return thing;
}

/** `stop` ends a running load when the run is interrupted; call the answer once the load is over. */
export function stopWhenInterrupted(stop: () => void): () => Promise<void> {
  loads.add(stop);
  return async () => {
    loads.delete(stop);
    // The signal handler exits once everything is closed: go no further meanwhile.
    if (interrupted) await new Promise<never>(() => {});
  };
}

async function closeAll(): Promise<void> {
  loads.forEach((stop) => stop());
  for (const { name, close } of closers.splice(0).reverse()) {
    await close().catch((error: unknown) => console.error(`closing ${name} failed:`, error));
  }
}

export function runBenchmark(main: () => Promise<void>): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    // Once: a second Ctrl-C exits at once (the child processes then close when they see us gone).
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the load and closing everything the run started...`);
      void closeAll().finally(() => process.exit(code));
    });
  }
  let exitCode = 0;
  main()
    .catch((error: unknown) => {
      console.error(`\nbenchmark aborted: ${error instanceof Error ? error.message : String(error)}`);
      exitCode = 1;
    })
    .then(closeAll)
    .then(() => {
      console.log(`\ndone in ${elapsed()}`);
      process.exit(exitCode);
    });
}
