import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** A file to inspect, on disk or in memory, read only as far as each check needs. */
export interface FileSource {
  byteSize: number;
  head(length: number): Promise<Buffer>;
  bytes(): Promise<Buffer>;
  sha256(): Promise<string>;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function fileSource(input: string | Buffer): Promise<FileSource> {
  if (Buffer.isBuffer(input)) {
    return {
      byteSize: input.length,
      head: async (length) => input.subarray(0, length),
      bytes: async () => input,
      sha256: async () => sha256Hex(input),
    };
  }
  const info = await stat(input);
  if (!info.isFile()) throw new Error(`${input} is not a file`);
  return {
    byteSize: info.size,
    async head(length) {
      const handle = await open(input, 'r');
      try {
        const buffer = Buffer.alloc(Math.min(length, info.size));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    bytes: () => readFile(input),
    async sha256() {
      const hash = createHash('sha256');
      await pipeline(createReadStream(input), hash);
      return hash.digest('hex');
    },
  };
}
