import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileNotFound } from './errors';
import {
  assertValidKey,
  clampRange,
  type ByteRange,
  type FileStorage,
  type ObjectStat,
  type OpenedObject,
  type PutOptions,
  type StoredObject,
  existsByStat,
} from './storage';

/** Large reads: a 5 MB model streams in 5 chunks of 1 MiB instead of 80 of 64 KiB. */
const READ_CHUNK_BYTES = 1 << 20;

const TEMP_DIR = '.tmp';

function isErrno(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes(String((error as NodeJS.ErrnoException).code));
}

/**
 * Files under one root folder, a key being a relative path. Writes go to a temporary file in
 * `<root>/.tmp/` (same filesystem), are flushed, then renamed into place, so a reader never sees a
 * partial file. Keys cannot start a segment with a dot, so they can never reach `.tmp` or leave the root.
 * The content type is not kept (the catalogue keeps it).
 */
export class FsStorage implements FileStorage {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const path = join(this.root, ...key.split('/'));
    // Belt and braces: the key rules already make this impossible.
    if (!path.startsWith(this.root + sep)) throw new Error(`key ${key} escapes the storage root`);
    return path;
  }

  async put(key: string, source: Readable | Buffer, _options: PutOptions): Promise<StoredObject> {
    const target = this.pathOf(key);
    const tempDir = join(this.root, TEMP_DIR);
    const temp = join(tempDir, `${randomUUID()}.part`);
    await mkdir(tempDir, { recursive: true });
    let byteSize = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        byteSize += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Buffer.isBuffer(source) ? Readable.from([source]) : source,
        counter,
        createWriteStream(temp, { flags: 'wx' }),
      );
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { key, byteSize };
  }

  async open(key: string, range?: ByteRange): Promise<OpenedObject> {
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw fileNotFound(key);
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw fileNotFound(key);
      const byteSize = info.size;
      if (byteSize === 0 && !range) {
        await handle.close();
        return { stream: Readable.from([]), byteSize, range: { start: 0, end: -1 } };
      }
      const clamped = clampRange(key, byteSize, range);
      // The stream reads through the open handle and closes it when done, so a concurrent replace
      // (rename over the path) or delete cannot mix two files in one answer.
      const stream = handle.createReadStream({
        start: clamped.start,
        end: clamped.end,
        autoClose: true,
        highWaterMark: READ_CHUNK_BYTES,
      });
      return { stream, byteSize, range: clamped };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectStat> {
    try {
      const info = await stat(this.pathOf(key));
      if (!info.isFile()) throw fileNotFound(key);
      return { byteSize: info.size, modifiedAt: info.mtime };
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) throw fileNotFound(key);
      throw error;
    }
  }

  exists(key: string): Promise<boolean> {
    return existsByStat(this, key);
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return;
      throw error;
    }
    await rm(path, { force: true });
  }
}
