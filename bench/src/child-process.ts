/**
 * The benchmarks' servers each run in a child process of their own, so that the load generator shares an event loop
 * with none of them. The parent forks a module, which serves and sends `ready` with its URLs; the parent may `ask` it
 * things; `close` sends `close` (SIGTERM once the channel is gone) and waits for the exit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Child<Ready> {
  pid: number;
  ready: Ready;
  ask<Answer>(request: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export interface Served<Ready> {
  ready: Ready;
  answer?(request: never): Promise<unknown>;
  close(): Promise<void>;
}

type ToChild = { type: 'ask'; id: number; request: unknown } | { type: 'close' };
type FromChild = { type: 'ready'; ready: unknown } | { type: 'answer'; id: number; value?: unknown; error?: string };

const OPTIONS_FLAG = '--bench-child=';
const READY_TIMEOUT_MS = 120_000;

const live = new Set<ChildProcess>();
// An exit that skipped the closing (a second Ctrl-C, an uncaught error) still takes every child along.
process.on('exit', () => live.forEach((child) => child.kill('SIGTERM')));

export function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Asks the child to close (a message when it has a channel, else SIGTERM) and waits; SIGKILL after `timeoutMs`. */
export async function stopProcess(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send({ type: 'close' } satisfies ToChild);
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Forks `moduleUrl` (which calls `serveAsChild`) with `options` and waits for what it is ready with; `close` waits
 * `closeTimeoutMs` for the exit before SIGKILL.
 */
export async function startChild<Ready>(
  name: string,
  moduleUrl: string,
  options: unknown,
  env = process.env,
  closeTimeoutMs = 15_000,
): Promise<Child<Ready>> {
  const child = fork(fileURLToPath(moduleUrl), [`${OPTIONS_FLAG}${JSON.stringify(options)}`], { stdio: 'inherit', env });
  killOnExit(child);
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const gone = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      const error = new Error(`${name} exited (${signal ?? `code ${code}`})`);
      pending.forEach((ask) => ask.reject(error));
      reject(error);
    }),
  );
  gone.catch(() => undefined);
  child.on('message', (message: FromChild) => {
    if (message.type !== 'answer') return;
    const ask = pending.get(message.id);
    pending.delete(message.id);
    if (message.error === undefined) ask?.resolve(message.value);
    else ask?.reject(new Error(`${name}: ${message.error}`));
  });

  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  let ready: Ready;
  try {
    const [message] = (await Promise.race([once(child, 'message'), gone, tooLate])) as [FromChild];
    if (message.type !== 'ready') throw new Error(`${name} sent ${message.type} before it was ready`);
    ready = message.ready as Ready;
  } catch (error) {
    await stopProcess(child);
    throw error;
  } finally {
    clearTimeout(timer);
  }

  let nextId = 0;
  let closing: Promise<void> | undefined;
  const ask = <Answer>(request: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ type: 'ask', id, request } satisfies ToChild, (error) => error && reject(error));
    });
  return { pid: child.pid!, ready, ask, close: () => (closing ??= stopProcess(child, closeTimeoutMs)) };
}

/** In the forked process of `moduleUrl` (and only there): serve, then answer and close as the parent asks. */
export function serveAsChild<Options, Ready>(moduleUrl: string, serve: (options: Options) => Promise<Served<Ready>>): void {
  const flag = process.argv.find((arg) => arg.startsWith(OPTIONS_FLAG));
  if (!flag || !process.send || process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const send = (message: FromChild) => process.send!(message);
  const name = basename(fileURLToPath(moduleUrl));
  // Ctrl-C reaches the whole process group: the parent says when to close, or goes away.
  process.on('SIGINT', () => {});
  serve(JSON.parse(flag.slice(OPTIONS_FLAG.length)) as Options).then(
    (served) => {
      let closing: Promise<void> | undefined;
      const close = () =>
        (closing ??= served
          .close()
          .catch((error: unknown) => console.error(`closing ${name} failed:`, error))
          .finally(() => process.exit(0)));
      process.on('message', (message: ToChild) => {
        if (message.type === 'close') return void close();
        served.answer!(message.request as never).then(
          (value) => send({ type: 'answer', id: message.id, value }),
          (error: Error) => send({ type: 'answer', id: message.id, error: error.message }),
        );
      });
      process.on('disconnect', close);
      process.on('SIGTERM', close);
      if (process.connected) send({ type: 'ready', ready: served.ready });
      else void close();
    },
    (error: unknown) => {
      console.error(`${name} failed to start:`, error);
      process.exit(1);
    },
  );
}
