import { FileRejected } from '../errors';

export interface InspectionSlotsOptions {
  /** Uploads inspected at once (each holds its file in memory and keeps the validator or sharp busy). */
  concurrency: number;
  /** How long an upload whose body has arrived may wait for a slot before it is refused as busy. */
  waitMs: number;
  /** Uploads that may wait at once; past that a new upload is refused before its body is read. */
  maxWaiting?: number;
}

/**
 * A process-wide cap on inspections: past `concurrency`, uploads wait in line (first come, first served)
 * for up to `waitMs`, then get 503 busy with a Retry-After; when the line is already full, an upload is
 * refused at once, before its body is read.
 */
export class InspectionSlots {
  private running = 0;
  private readonly waiting: { grant(): void }[] = [];
  private readonly maxWaiting: number;

  constructor(private readonly options: InspectionSlotsOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError('at least one inspection at a time');
    this.maxWaiting = options.maxWaiting ?? options.concurrency * 4;
  }

  private busy(): FileRejected {
    return new FileRejected('busy', { retryAfterSeconds: Math.max(1, Math.ceil(this.options.waitMs / 1000)) });
  }

  /** Throws busy when even the line is full (call before reading a body). */
  admit(): void {
    if (this.running >= this.options.concurrency && this.waiting.length >= this.maxWaiting) throw this.busy();
  }

  /** Runs `inspect` in a slot, waiting for one if needed. */
  async run<T>(inspect: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) await this.wait();
    else this.running += 1;
    try {
      return await inspect();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so `running` stays as it is.
      if (next) next.grant();
      else this.running -= 1;
    }
  }

  private wait(): Promise<void> {
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(this.busy());
      }, this.options.waitMs);
      this.waiting.push(entry);
    });
  }

  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
