import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { uniquePng } from '../../subgraphs/keyboards/test/unique-files';

// A files folder of this file's own: the test changes stored bytes behind the catalogue service's back.
let filesDir: string;
let stack: Stack;
let alice: TestUser;
let origin: string;
let boxTypeId: string;

beforeAll(async () => {
  filesDir = await mkdtemp(join(tmpdir(), 'keylab-file-memory-'));
  stack = await startStack({ keyboardsEnv: { FILES_DIR: filesDir } });
  alice = await stack.createUser();
  origin = new URL(stack.gatewayUrl).origin;
  boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
});

afterAll(async () => {
  if (alice) {
    await stack.keyboards.db.box.deleteMany({ where: { ownerId: alice.id } });
    await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: alice.id } });
  }
  await stack?.close();
  await rm(filesDir, { recursive: true, force: true });
});

/** An upload of a preview no other test has, with the bytes the service stored and their content key. */
async function uploadPreview(): Promise<{ uploadId: string; bytes: Buffer; key: string }> {
  const response = await fetch(`${origin}/uploads/preview`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Bearer ${alice.token}` },
    body: uniquePng(),
  });
  expect(response.status).toBe(201);
  const { uploadId, sha256 } = (await response.json()) as { uploadId: string; sha256: string };
  const row = await stack.keyboards.db.storedFile.findFirstOrThrow({ where: { ownerId: alice.id, sha256 } });
  const bytes = await readFile(join(filesDir, ...row.storageKey.split('/')));
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
  return { uploadId, bytes, key: row.storageKey };
}

/** A preview attached to a new box of Alice's: public and immutable at /files/<key>. */
async function publicPreview() {
  const preview = await uploadPreview();
  const created = await stack.graphql<{ createBox: { box: { preview: { url: string } } } }>(
    'mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { preview { url } } } }',
    {
      variables: { i: { title: `Held ${crypto.randomUUID().slice(0, 6)}`, boxTypeId, previewUploadId: preview.uploadId } },
      token: alice.token,
    },
  );
  const url = `${origin}${new URL(created.data!.createBox.box.preview.url).pathname}`;
  return { ...preview, url };
}

/** Other bytes of the same length where the catalogue service keeps the file. */
async function changeOnDisk(key: string, length: number): Promise<void> {
  await writeFile(join(filesDir, ...key.split('/')), Buffer.alloc(length, 0x2a));
}

const bodyOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('hot files in the gateway’s memory', () => {
  it('sends an immutable file from memory once the catalogue service has allowed the download', async () => {
    const { url, bytes, key } = await publicPreview();
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/immutable/);
    expect(await bodyOf(first)).toEqual(bytes);
    const etag = first.headers.get('etag')!;

    await changeOnDisk(key, bytes.length);
    const again = await fetch(url);
    expect(again.status).toBe(200);
    expect(await bodyOf(again)).toEqual(bytes);
    expect(Object.fromEntries(again.headers)).toMatchObject({
      etag,
      'content-length': String(bytes.length),
      'accept-ranges': 'bytes',
      'cache-control': first.headers.get('cache-control'),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'same-site',
    });
    expect(again.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers a client’s Range, If-Range, If-None-Match and HEAD from memory as the service would', async () => {
    const { url, bytes, key } = await publicPreview();
    const etag = (await fetch(url)).headers.get('etag')!;
    await changeOnDisk(key, bytes.length);

    const part = await fetch(url, { headers: { range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-9/${bytes.length}`);
    expect(await bodyOf(part)).toEqual(bytes.subarray(0, 10));
    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(await bodyOf(tail)).toEqual(bytes.subarray(bytes.length - 5));
    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"another"' } });
    expect(stale.status).toBe(200);
    expect(await bodyOf(stale)).toEqual(bytes);
    const beyond = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    const unchanged = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('stops serving a held file as soon as the service no longer allows it', async () => {
    const { url, key } = await publicPreview();
    expect((await fetch(url)).status).toBe(200);
    // No longer attached, the file is a private upload again: without a signed URL it is not found.
    await stack.keyboards.db.storedFile.updateMany({ where: { storageKey: key }, data: { attachedAt: null } });
    const withdrawn = await fetch(url);
    expect(withdrawn.status).toBe(404);
    expect(((await withdrawn.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    await stack.keyboards.db.storedFile.updateMany({ where: { storageKey: key }, data: { attachedAt: new Date() } });
    await unlink(join(filesDir, ...key.split('/')));
    expect((await fetch(url)).status).toBe(404);
  });

  it('never holds a private upload: each download through its signed URL reads the service', async () => {
    const { uploadId, bytes, key } = await uploadPreview();
    const { data } = await stack.graphql<{ myUpload: { url: string } }>('query ($id: ID!) { myUpload(id: $id) { url } }', {
      variables: { id: uploadId },
      token: alice.token,
    });
    const signed = new URL(data!.myUpload.url);
    const url = `${origin}${signed.pathname}${signed.search}`;
    const first = await fetch(url);
    expect(first.headers.get('cache-control')).toMatch(/^private/);
    expect(await bodyOf(first)).toEqual(bytes);
    await changeOnDisk(key, bytes.length);
    expect(await bodyOf(await fetch(url))).toEqual(Buffer.alloc(bytes.length, 0x2a));
  });
});
