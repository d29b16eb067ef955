import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentKey,
  FsStorage,
  isValidKey,
  putContentAddressed,
  S3Storage,
  sha256OfContentKey,
  StorageError,
  type FileStorage,
} from '@keylab/files';
import { startS3Server, type S3Server } from '@keylab/testing';
import { chunks, filesUnder, readAll, tempDir } from './helpers';

// The SDK's notice that its releases after January 2027 need Node 22 is not what these tests are about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BUCKET = 'keylab-test';
const dirs: { remove(): Promise<void> }[] = [];
let s3: S3Server | undefined;
let fsRoot = '';
/** The S3 commands sent, to see which way a put went. */
const s3Commands: string[] = [];

beforeAll(async () => {
  const fsDir = await tempDir('fs');
  dirs.push(fsDir);
  fsRoot = fsDir.path;
  s3 = await startS3Server([BUCKET]);
});

afterAll(async () => {
  await s3?.close();
  await Promise.all(dirs.map((dir) => dir.remove()));
});

const drivers: [string, () => FileStorage][] = [
  ['FsStorage', () => new FsStorage(fsRoot)],
  [
    'S3Storage (s3rver)',
    () => {
      const storage = new S3Storage({
        bucket: BUCKET,
        region: 'us-east-1',
        endpoint: s3!.endpoint,
        forcePathStyle: true,
        credentials: s3!.credentials,
        prefix: 'files/',
        partSize: 5 * 1024 * 1024,
      });
      storage.client.middlewareStack.add(
        (next, context) => (args) => {
          s3Commands.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize' },
      );
      return storage;
    },
  ],
];

async function errorOf(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe.each(drivers)('%s', (_name, make) => {
  const hello = Buffer.from('hello, keyboard world');

  it('puts a buffer, then stats, opens (whole and ranges), checks and deletes it', async () => {
    const storage = make();
    expect(await storage.put('t/hello.txt', hello, { contentType: 'text/plain' })).toEqual({
      key: 't/hello.txt',
      byteSize: hello.length,
    });
    expect(await storage.exists('t/hello.txt')).toBe(true);
    expect((await storage.stat('t/hello.txt')).byteSize).toBe(hello.length);

    const whole = await storage.open('t/hello.txt');
    expect(whole.byteSize).toBe(hello.length);
    expect(whole.range).toEqual({ start: 0, end: hello.length - 1 });
    expect(await readAll(whole.stream)).toEqual(hello);

    const part = await storage.open('t/hello.txt', { start: 7, end: 14 });
    expect(part.byteSize).toBe(hello.length);
    expect(part.range).toEqual({ start: 7, end: 14 });
    expect((await readAll(part.stream)).toString()).toBe('keyboard');

    const tail = await storage.open('t/hello.txt', { start: 16, end: 1_000 });
    expect(tail.range).toEqual({ start: 16, end: hello.length - 1 });
    expect((await readAll(tail.stream)).toString()).toBe('world');

    expect((await errorOf(storage.open('t/hello.txt', { start: hello.length, end: hello.length + 5 }))).code).toBe(
      'RANGE_NOT_SATISFIABLE',
    );

    await storage.delete('t/hello.txt');
    expect(await storage.exists('t/hello.txt')).toBe(false);
    await storage.delete('t/hello.txt'); // deleting what is gone is fine
  });

  it('answers NOT_FOUND for a missing key on open and stat', async () => {
    const storage = make();
    expect((await errorOf(storage.open('missing/nothing.glb'))).code).toBe('NOT_FOUND');
    expect((await errorOf(storage.stat('missing/nothing.glb'))).code).toBe('NOT_FOUND');
    expect(await storage.exists('missing/nothing.glb')).toBe(false);
  });

  it('puts a stream of unknown length (6 MiB: a multipart upload on S3) and replaces an object', async () => {
    const storage = make();
    const stored = await storage.put('t/big.bin', chunks(96, 64 * 1024), { contentType: 'application/octet-stream' });
    expect(stored.byteSize).toBe(6 * 1024 * 1024);
    expect((await storage.stat('t/big.bin')).byteSize).toBe(6 * 1024 * 1024);
    const middle = await readAll((await storage.open('t/big.bin', { start: 64 * 1024 - 2, end: 64 * 1024 + 1 })).stream);
    expect([...middle]).toEqual([0, 0, 1, 1]);
    if (storage instanceof S3Storage) expect(s3Commands).toContain('CompleteMultipartUploadCommand');

    await storage.put('t/big.bin', Buffer.from('small now'), { contentType: 'text/plain' });
    expect(await readAll((await storage.open('t/big.bin')).stream)).toEqual(Buffer.from('small now'));
    await storage.delete('t/big.bin');
  });

  it('stores nothing when the source stream fails', async () => {
    const storage = make();
    const failing = Readable.from(
      (async function* () {
        yield Buffer.alloc(1024, 1);
        throw new Error('disk on fire');
      })(),
    );
    await expect(storage.put('t/broken.bin', failing, { contentType: 'application/octet-stream' })).rejects.toThrow();
    expect(await storage.exists('t/broken.bin')).toBe(false);
  });

  it.each(['../escape', 'a/../../b', '/absolute', 'UPPER.glb', 'a//b', '.hidden', 'a/.tmp/x', '', 'a\\b', 'a b', 'a/', 'ключ'])(
    'refuses the key %j',
    async (key) => {
      const storage = make();
      expect((await errorOf(storage.put(key, hello, { contentType: 'text/plain' }))).code).toBe('INVALID_KEY');
      expect((await errorOf(storage.open(key))).code).toBe('INVALID_KEY');
    },
  );

  it('keeps one object for the same bytes stored twice under their content key', async () => {
    const storage = make();
    const file = { sha256: 'ab'.repeat(32), extension: 'glb', contentType: 'model/gltf-binary' };
    const first = await putContentAddressed(storage, Buffer.from('same bytes'), file);
    const second = await putContentAddressed(storage, () => Readable.from([Buffer.from('same bytes')]), file);
    expect(first).toEqual({ key: `sha256/ab/${'ab'.repeat(32)}.glb`, byteSize: 10, created: true });
    expect(second).toEqual({ ...first, created: false });
  });
});

describe('FsStorage on disk', () => {
  it('writes atomically: nothing is visible under the key until the write is complete, and no temporary file stays', async () => {
    const storage = new FsStorage(fsRoot);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Readable.from(
      (async function* () {
        yield Buffer.from('first half, ');
        await gate;
        yield Buffer.from('second half');
      })(),
    );
    const writing = storage.put('atomic/file.txt', slow, { contentType: 'text/plain' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await storage.exists('atomic/file.txt')).toBe(false);
    release();
    await writing;
    expect((await readAll((await storage.open('atomic/file.txt')).stream)).toString()).toBe('first half, second half');
    expect(await filesUnder(`${fsRoot}/.tmp`)).toEqual([]);
  });

  it('content-addressed files land once on disk', async () => {
    const root = await tempDir('fs-ca');
    dirs.push(root);
    const storage = new FsStorage(root.path);
    const sha = 'cd'.repeat(32);
    for (let i = 0; i < 3; i++)
      await putContentAddressed(storage, Buffer.from('x'), { sha256: sha, extension: 'webp', contentType: 'image/webp' });
    expect(await filesUnder(root.path)).toEqual([`sha256/cd/${sha}.webp`]);
  });
});

describe('keys', () => {
  it('makes and reads content keys', () => {
    const sha = '0123456789abcdef'.repeat(4);
    expect(contentKey(sha, 'glb')).toBe(`sha256/01/${sha}.glb`);
    expect(sha256OfContentKey(contentKey(sha, 'glb'))).toBe(sha);
    expect(sha256OfContentKey('boxes/1.glb')).toBeNull();
    expect(() => contentKey('XYZ', 'glb')).toThrow();
    expect(() => contentKey(sha, '.glb')).toThrow();
    expect(isValidKey(`sha256/01/${sha}.glb`)).toBe(true);
    expect(isValidKey('a'.repeat(513))).toBe(false);
  });
});
