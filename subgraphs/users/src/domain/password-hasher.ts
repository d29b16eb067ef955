import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ARGON2, checkPassword, type PasswordCheck, type StoredPassword } from './passwords';

/**
 * Half the cores, at least one. An Argon2id computation keeps a core busy for its whole length (11 to 15 ms of CPU
 * on the benchmark machine); on libuv's four threads, continuous sign-ins took every core from the event loops.
 */
export const defaultHashConcurrency = () => Math.max(1, Math.floor(availableParallelism() / 2));

/**
 * `idle`: hashing threads run only on time no other thread of the machine wants, and give a core up as soon as an
 * event loop wakes (Linux SCHED_IDLE, set with util-linux's `chrt`; nice 19 where that fails; a nice value alone
 * did not give the core up soon enough). `normal`: the process's own. Elsewhere than on Linux a priority would apply
 * to the whole process, so it is left alone.
 */
export type HashPriority = 'idle' | 'normal';

/** After this long without an answer at the idle priority (the machine has no idle time), a hash is computed at the normal one. */
const IDLE_PATIENCE_MS = 2_000;

/** A hashing thread: it lowers its own priority (each Linux thread has its own), then computes one job at a time. */
const HASH_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
function lowerPriority() {
  const thread = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
  if (require('node:child_process').spawnSync('chrt', ['--idle', '--pid', '0', thread]).status === 0) return;
  require('node:os').setPriority(19);
}
try {
  if (workerData.priority === 'idle') lowerPriority();
} catch {
  // Best effort: the hashes are right at any priority.
}
parentPort.on('message', ({ op, args }) => {
  try {
    parentPort.postMessage({ value: op === 'hash' ? argon2.hashSync(...args) : argon2.verifySync(...args) });
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});`;
const ARGON2_PATH = createRequire(import.meta.url).resolve('@node-rs/argon2');

type Job = { op: 'hash'; args: [string, typeof ARGON2] } | { op: 'verify'; args: [string, string] };

/** One thread, one job at a time; started on its first job, and again after it died. */
class HashThread {
  private worker: Worker | undefined;
  private pending: { resolve(value: unknown): void; reject(error: Error): void } | undefined;

  constructor(private readonly priority: HashPriority) {}

  run(job: Job): Promise<unknown> {
    const worker = (this.worker ??= this.start());
    // Only a busy thread keeps the process alive.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage(job);
    }).finally(() => {
      this.pending = undefined;
      worker.unref();
    });
  }

  private start(): Worker {
    const worker = new Worker(HASH_THREAD, {
      eval: true,
      name: `argon2id ${this.priority}`,
      workerData: { argon2: ARGON2_PATH, priority: this.priority },
    });
    worker.unref();
    worker.on('message', ({ value, error }: { value?: unknown; error?: string }) => {
      if (error === undefined) this.pending?.resolve(value);
      else this.pending?.reject(new Error(error));
    });
    const gone = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.pending?.reject(error);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the password hashing thread exited (${code})`)));
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

const GAVE_UP = Symbol('gave up');

/** `size` threads at one priority; jobs wait in line for a free one, first come, first served. */
class ThreadLine {
  private readonly threads: HashThread[];
  private readonly free: HashThread[];
  private readonly waiting: ((thread: HashThread) => void)[] = [];

  constructor(size: number, priority: HashPriority) {
    this.threads = Array.from({ length: size }, () => new HashThread(priority));
    this.free = [...this.threads];
  }

  /** The job's answer, or GAVE_UP when `signal` aborted while it was still waiting in line. */
  async run(job: Job, signal?: AbortSignal): Promise<unknown> {
    const thread = this.free.pop() ?? (await this.turn(signal));
    if (!thread) return GAVE_UP;
    try {
      return await thread.run(job);
    } finally {
      const next = this.waiting.shift();
      // The thread passes straight to the next in line.
      if (next) next(thread);
      else this.free.push(thread);
    }
  }

  private turn(signal?: AbortSignal): Promise<HashThread | undefined> {
    return new Promise((resolve) => {
      const take = (thread: HashThread) => {
        signal?.removeEventListener('abort', leave);
        resolve(thread);
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(take);
    });
  }

  get stats() {
    return { running: this.threads.length - this.free.length, waiting: this.waiting.length };
  }

  close(): Promise<unknown> {
    return Promise.all(this.threads.map((thread) => thread.close()));
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  check(stored: StoredPassword | null, password: string): Promise<PasswordCheck>;
  /** Hashes and checks computing and waiting for a thread; how many were computed at the normal priority for want of idle time. */
  readonly stats: { running: number; waiting: number; promoted: number };
  close(): Promise<void>;
}

export interface PasswordHasherOptions {
  /** Threads of each priority: hashes and checks computed at once. */
  concurrency?: number;
  priority?: HashPriority;
  /** How long a hash may go unanswered at the idle priority before it is computed at the normal one. */
  patienceMs?: number;
}

/**
 * Argon2id off the event loop and off libuv's thread pool, on `concurrency` threads of its own; beyond that, hashes
 * and checks wait in line. At the idle priority, a hash that is not answered within `patienceMs` (the machine had no
 * idle time) is computed at the normal priority instead, on as many threads again, and so are the next ones until
 * a hash at the idle priority gets done: slower sign-ins when the machine is busy, never stuck ones.
 */
export function passwordHasher({
  concurrency = defaultHashConcurrency(),
  priority = 'idle',
  patienceMs = IDLE_PATIENCE_MS,
}: PasswordHasherOptions = {}): PasswordHasher {
  if (!(concurrency >= 1)) throw new RangeError('at least one password hashing thread');
  const idle = priority === 'idle' && process.platform === 'linux' ? new ThreadLine(concurrency, 'idle') : undefined;
  const normal = new ThreadLine(concurrency, 'normal');
  let starved = false;
  let promoted = 0;

  async function compute(job: Job): Promise<unknown> {
    if (!idle || starved) return normal.run(job);
    const patience = AbortSignal.timeout(patienceMs);
    const atIdle = idle.run(job, patience);
    // A computation at the idle priority that ends, however late, shows the machine has idle time again.
    const ended = (answer?: unknown) => {
      if (answer !== GAVE_UP) starved = false;
    };
    atIdle.then(ended, () => ended());
    const gaveUp = new Promise<typeof GAVE_UP>((resolve) => patience.addEventListener('abort', () => resolve(GAVE_UP)));
    const answer = await Promise.race([atIdle, gaveUp]);
    if (answer !== GAVE_UP) return answer;
    starved = true;
    promoted += 1;
    return normal.run(job);
  }

  return {
    hash: async (password) => (await compute({ op: 'hash', args: [password, ARGON2] })) as string,
    check: (stored, password) =>
      checkPassword(
        stored,
        password,
        async (hashed, given) => (await compute({ op: 'verify', args: [hashed, given] })) as boolean,
      ),
    get stats() {
      const [a, b] = [idle?.stats ?? { running: 0, waiting: 0 }, normal.stats];
      return { running: a.running + b.running, waiting: a.waiting + b.waiting, promoted };
    },
    close: async () => {
      await Promise.all([idle?.close(), normal.close()]);
    },
  };
}
