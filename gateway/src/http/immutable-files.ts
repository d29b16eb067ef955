import type { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';

/** A stored file the catalogue service marked immutable, with the headers it was served with. */
export interface HeldFile {
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
}

/** The headers of a held file that every answer from memory repeats. */
const HELD_HEADERS = ['content-type', 'etag', 'cache-control', 'last-modified', 'content-disposition'];

/**
 * The gateway's memory of hot files: answers the catalogue service sent as `immutable` (content-addressed:
 * the bytes of a URL never change), up to `maxBytes` in all and `maxFileBytes` each, least recently used
 * out first. The service is still asked on every download (a conditional GET, answered 304 with no body),
 * so a file withdrawn or made private stops being served at once; only the bytes come from here.
 */
export class ImmutableFiles {
  readonly #files: LRUCache<string, HeldFile>;
  readonly maxFileBytes: number;

  constructor(maxBytes: number, maxFileBytes: number) {
    this.maxFileBytes = Math.min(maxFileBytes, maxBytes);
    this.#files = new LRUCache<string, HeldFile>({
      maxSize: maxBytes,
      maxEntrySize: this.maxFileBytes,
      sizeCalculation: (file) => Math.max(1, file.body.byteLength),
    });
  }

  get(url: string): HeldFile | undefined {
    return this.#files.get(url);
  }

  forget(url: string): void {
    this.#files.delete(url);
  }

  /** Whether an upstream answer may be held: a whole 200, immutable, with a strong ETag and a known length that fits. */
  holds(status: number | undefined, headers: IncomingHttpHeaders): boolean {
    const length = Number(headers['content-length']);
    return (
      status === 200 &&
      /\bimmutable\b/.test(headers['cache-control'] ?? '') &&
      /^"[^"]+"$/.test(headers.etag ?? '') &&
      Number.isSafeInteger(length) &&
      length <= this.maxFileBytes
    );
  }

  /** Keeps the bytes of an answer `holds` accepted, once all of them arrived. */
  keep(url: string, headers: IncomingHttpHeaders, chunks: Buffer[]): void {
    const body = Buffer.concat(chunks);
    if (body.byteLength !== Number(headers['content-length'])) return;
    const held: Record<string, string> = {};
    for (const name of HELD_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string') held[name] = value;
    }
    this.#files.set(url, { body, etag: headers.etag!, headers: held });
  }
}
