import express from 'express';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@keylab/errors';
import {
  contentKey,
  FsStorage,
  IMMUTABLE_CACHE_CONTROL,
  isValidKey,
  serveRouter,
  sha256OfContentKey,
  signUrl,
  uploadRouter,
  verifySignedUrl,
  type FileKind,
  type StoredFile,
} from '@keylab/files';
import { cubeGlb, outOfRangeIndexGlb, png } from './fixtures';
import { filesUnder, tempDir, waitFor } from './helpers';
import { wav } from './sounds';

const SECRET = 'test-url-signing-secret';
const MODEL_LIMIT = 1024 * 1024;
const TYPES: Record<string, string> = {
  glb: 'model/gltf-binary',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
};

let server: Server;
let base = '';
let storageDir: Awaited<ReturnType<typeof tempDir>>;
let uploadDir: Awaited<ReturnType<typeof tempDir>>;
const uploads = new Map<string, { file: StoredFile; ownerId: string; kind: FileKind }>();
const unexpected: unknown[] = [];

beforeAll(async () => {
  storageDir = await tempDir('http-storage');
  uploadDir = await tempDir('http-uploads');
  const storage = new FsStorage(storageDir.path);
  const app = express();
  app.use(
    uploadRouter({
      storage,
      limits: { model: MODEL_LIMIT },
      tmpDir: uploadDir.path,
      authorize(req) {
        const token = req.headers.authorization;
        if (token === 'Bearer alice' || token === 'Bearer bob') return token.slice(7);
        throw new AppError('UNAUTHENTICATED', 'auth.required').localize(req.headers['accept-language'] === 'ru' ? 'ru' : 'en');
      },
      async onStored(file, ownerId, kind) {
        const uploadId = `up-${uploads.size + 1}`;
        uploads.set(uploadId, { file, ownerId, kind });
        return { uploadId };
      },
      onError: (error) => unexpected.push(error),
    }),
  );
  app.use(
    serveRouter({
      storage,
      resolve(req, path) {
        if (path.startsWith('private/')) {
          if (!verifySignedUrl(req.originalUrl, SECRET).valid) throw new AppError('FORBIDDEN', 'auth.adminOnly');
          const upload = uploads.get(path.slice('private/'.length));
          return upload ? { key: upload.file.key, contentType: upload.file.contentType, immutable: false, maxAge: 60 } : null;
        }
        if (!isValidKey(path) || !sha256OfContentKey(path)) return null;
        return { key: path, contentType: TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream', immutable: true };
      },
      onError: (error) => unexpected.push(error),
    }),
  );
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await storageDir.remove();
  await uploadDir.remove();
});

afterEach(() => {
  // No failure of ours behind any answer (every refusal is the client's doing).
  expect(unexpected).toEqual([]);
});

const auth = { authorization: 'Bearer alice' };

function form(file: Buffer, name = 'model.glb', type = 'model/gltf-binary'): FormData {
  const body = new FormData();
  body.append('title', 'Бокс 40%');
  body.append('file', new Blob([new Uint8Array(file)], { type }), name);
  return body;
}

/** A multipart body written by hand, to send what a browser never would. */
function multipart(boundary: string, parts: { name: string; filename?: string; data: Buffer | string }[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    const type = part.filename ? 'Content-Type: application/octet-stream\r\n' : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.from(part.data), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** The JSON answer of an upload: its fields on success, `error` on refusal. */
interface UploadJson {
  uploadId: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  model?: unknown;
  error: { code: string; reason?: string; message: string };
}

async function upload(kind: string, body: FormData | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/uploads/${kind}`, { method: 'POST', headers: { ...auth, ...headers }, body });
  return { status: response.status, json: (await response.json()) as UploadJson };
}

const storedFiles = () => filesUnder(storageDir.path);
const leftovers = () => filesUnder(uploadDir.path);

describe('upload then download', () => {
  let cube: Buffer;
  let key = '';
  let sha = '';

  beforeAll(async () => {
    cube = await cubeGlb({ scale: 0.5 });
  });

  it('stores a multipart GLB under its content key and answers its metadata', async () => {
    const { status, json } = await upload('model', form(cube));
    expect(status).toBe(201);
    expect(json).toMatchObject({
      uploadId: expect.stringMatching(/^up-/),
      contentType: 'model/gltf-binary',
      byteSize: cube.length,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      model: { vertexCount: 8, triangleCount: 12, boundingBox: { min: [-0.5, -0.5, -0.5], max: [0.5, 0.5, 0.5] } },
    });
    sha = json.sha256;
    key = contentKey(sha, 'glb');
    expect(uploads.get(json.uploadId)).toMatchObject({ ownerId: 'alice', kind: 'model', file: { key, created: true } });
    expect(await storedFiles()).toContain(key);
    expect(await leftovers()).toEqual([]);
  });

  it('keeps one object when the same bytes come again (as a raw body, from someone else)', async () => {
    const before = await storedFiles();
    const { status, json } = await upload('model', cube, { 'content-type': 'model/gltf-binary', authorization: 'Bearer bob' });
    expect(status).toBe(201);
    expect(json.sha256).toBe(sha);
    expect(uploads.get(json.uploadId)).toMatchObject({ ownerId: 'bob', file: { key, created: false } });
    expect(await storedFiles()).toEqual(before);
  });

  it('serves it with a strong ETag, long immutable caching, its type and length', async () => {
    const response = await fetch(`${base}/files/${key}`);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      etag: `"${sha}"`,
      'cache-control': IMMUTABLE_CACHE_CONTROL,
      'content-type': 'model/gltf-binary',
      'content-length': String(cube.length),
      'accept-ranges': 'bytes',
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(cube);
  });

  it('answers 304 to If-None-Match with its ETag (strong, weak, in a list, or *)', async () => {
    for (const tag of [`"${sha}"`, `W/"${sha}"`, `"other", "${sha}"`, '*']) {
      const response = await fetch(`${base}/files/${key}`, { headers: { 'if-none-match': tag } });
      expect(response.status, tag).toBe(304);
      expect(response.headers.get('etag')).toBe(`"${sha}"`);
      expect(response.headers.get('cache-control')).toBe(IMMUTABLE_CACHE_CONTROL);
      expect(await response.text()).toBe('');
    }
    expect((await fetch(`${base}/files/${key}`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=100-', 100, -1],
    ['bytes=-16', -16, -1],
    ['bytes=20-1000000', 20, -1],
  ])('answers 206 to Range %s', async (range, from, to) => {
    const start = from < 0 ? cube.length + from : from;
    const end = to < 0 ? cube.length - 1 : to;
    const response = await fetch(`${base}/files/${key}`, { headers: { range } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${cube.length}`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(cube.subarray(start, end + 1));
  });

  it('answers 416 to a range past the end, and the whole file to several ranges or a stale If-Range', async () => {
    const past = await fetch(`${base}/files/${key}`, { headers: { range: `bytes=${cube.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${cube.length}`);
    const several = await fetch(`${base}/files/${key}`, { headers: { range: 'bytes=0-1,5-6' } });
    expect(several.status).toBe(200);
    expect((await several.arrayBuffer()).byteLength).toBe(cube.length);
    const stale = await fetch(`${base}/files/${key}`, { headers: { range: 'bytes=0-1', 'if-range': '"something-else"' } });
    expect(stale.status).toBe(200);
    const fresh = await fetch(`${base}/files/${key}`, { headers: { range: 'bytes=0-1', 'if-range': `"${sha}"` } });
    expect(fresh.status).toBe(206);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${base}/files/${key}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(cube.length));
    expect(response.headers.get('etag')).toBe(`"${sha}"`);
    expect(await response.text()).toBe('');
  });

  it('answers 404 for a file that is not there, in the asked language', async () => {
    const missing = await fetch(`${base}/files/${contentKey('0'.repeat(64), 'glb')}`, { headers: { 'accept-language': 'ru' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', reason: 'not_found', message: 'Такого файла нет.' } });
    expect((await fetch(`${base}/files/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/files/sha256/%2e%2e/x`)).status).toBe(404);
  });

  it('serves a private file through a signed URL, with private caching, and refuses a bad signature', async () => {
    const { json } = await upload('sound', wav(), { 'content-type': 'audio/wav' });
    const url = signUrl(`/files/private/${json.uploadId}`, SECRET, Date.now() + 60_000);
    const response = await fetch(`${base}${url}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(wav());
    // A whole other signature: changing one character could by chance give the same one.
    const forged = await fetch(`${base}${url.replace(/signature=[^&]+/, 'signature=forged')}`);
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('converts a PNG preview to WebP and serves the WebP', async () => {
    const { status, json } = await upload('preview', await png(64, 48), { 'content-type': 'image/png' });
    expect(status).toBe(201);
    expect(json.contentType).toBe('image/webp');
    const response = await fetch(`${base}/files/${contentKey(json.sha256, 'webp')}`);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await response.arrayBuffer())).metadata()).toMatchObject({
      format: 'webp',
      width: 64,
      height: 48,
    });
  });
});

describe('refusals', () => {
  let before: string[] = [];
  beforeEach(async () => {
    before = await storedFiles();
  });
  const nothingLeft = async () => {
    expect(await storedFiles()).toEqual(before);
    expect(await leftovers()).toEqual([]);
  };

  it('refuses an invalid model with the validator message, in English and in Russian, storing nothing', async () => {
    const invalid = await outOfRangeIndexGlb();
    const en = await upload('model', form(invalid), { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.status).toBe(400);
    expect(en.json.error).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'gltf_invalid' });
    expect(en.json.error.message).toMatch(/^The model is not valid glTF 2\.0: ACCESSOR_INDEX_OOB/);
    const ru = await upload('model', form(invalid), { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' });
    expect(ru.status).toBe(400);
    expect(ru.json.error.message).toMatch(/^Модель не соответствует glTF 2\.0: ACCESSOR_INDEX_OOB/);
    await nothingLeft();
  });

  it('refuses a text file sent as a sound', async () => {
    const { status, json } = await upload('sound', form(Buffer.from('not a sound at all'), 'click.mp3', 'audio/mpeg'), {
      'accept-language': 'ru',
    });
    expect(status).toBe(400);
    expect(json.error).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'not_audio',
      message: 'Звук должен быть файлом MP3, OGG или WAV.',
    });
    await nothingLeft();
  });

  it.each<[string, () => { type: string; body: Buffer }, string]>([
    [
      'a multipart body cut off before its end',
      () => ({
        type: 'multipart/form-data; boundary=XyZ',
        body: multipart('XyZ', [{ name: 'file', filename: 'a.glb', data: 'glTF....' }], false),
      }),
      'malformed',
    ],
    [
      'a multipart content type without boundary',
      () => ({ type: 'multipart/form-data', body: Buffer.from('whatever') }),
      'malformed',
    ],
    [
      'garbage under a multipart content type',
      () => ({ type: 'multipart/form-data; boundary=abc', body: Buffer.from('no parts here at all') }),
      'malformed',
    ],
    [
      'a form without a file',
      () => ({ type: 'multipart/form-data; boundary=XyZ', body: multipart('XyZ', [{ name: 'title', data: 'only a title' }]) }),
      'no_file',
    ],
    [
      'two files',
      () => ({
        type: 'multipart/form-data; boundary=XyZ',
        body: multipart('XyZ', [
          { name: 'file', filename: 'a.glb', data: 'first' },
          { name: 'file', filename: 'b.glb', data: 'second' },
        ]),
      }),
      'too_many_files',
    ],
    [
      'a body of an unaccepted content type',
      () => ({ type: 'text/plain', body: Buffer.from('hello') }),
      'unsupported_media_type',
    ],
    ['a body without a content type', () => ({ type: '', body: Buffer.from('hello') }), 'unsupported_media_type'],
    ['an empty raw body', () => ({ type: 'model/gltf-binary', body: Buffer.alloc(0) }), 'empty'],
  ])('answers 400 to %s', async (_name, make, reason) => {
    const { type, body } = make();
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const response = await fetch(`${base}/uploads/model`, {
      method: 'POST',
      headers: { ...auth, ...headers },
      body: type ? body : new Blob([new Uint8Array(body)]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { reason: string } }).error.reason).toBe(reason);
    await nothingLeft();
  });

  it('answers 404 to an unknown kind and 401 without a user, before reading anything', async () => {
    const unknown = await upload('video', form(Buffer.from('x')));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'NOT_FOUND', reason: 'unknown_kind' });
    const anonymous = await fetch(`${base}/uploads/model`, {
      method: 'POST',
      body: form(await cubeGlb()),
      headers: { 'accept-language': 'ru' },
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'Войдите, чтобы выполнить это действие.' },
    });
    await nothingLeft();
  });

  it('answers 413 at once when Content-Length already says too much', async () => {
    const { status, json } = await upload('model', Buffer.alloc(MODEL_LIMIT + 1), { 'content-type': 'application/octet-stream' });
    expect(status).toBe(413);
    expect(json.error).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'too_large',
      message: 'The file is too large: at most 1 MiB is allowed.',
    });
    await nothingLeft();
  });

  it.each([
    ['a raw body', 'application/octet-stream', false],
    ['a multipart body', 'multipart/form-data; boundary=XyZ', true],
  ])(
    'answers 413 as soon as %s streamed without a length passes the limit, then cuts off a client that keeps sending',
    async (_name, type, isMultipart) => {
      const started = performance.now();
      const result = await new Promise<{ status: number; body: string; sentAtAnswer: number; sent: number; answeredMs: number }>(
        (resolve, reject) => {
          const req = request(`${base}/uploads/model`, {
            method: 'POST',
            headers: { ...auth, 'content-type': type, 'accept-language': 'ru', 'transfer-encoding': 'chunked' },
          });
          let sent = 0;
          let cut = false;
          let answer: { status: number; body: string; sentAtAnswer: number; answeredMs: number } | undefined;
          const finish = () => {
            if (answer && cut) resolve({ ...answer, sent });
          };
          const chunk = Buffer.alloc(64 * 1024, 1);
          // A rude client: it goes on sending after the answer, up to 256 MiB, until the server cuts it off.
          const pump = () => {
            while (!cut && sent < 256 * 1024 * 1024) {
              sent += chunk.length;
              if (!req.write(chunk)) {
                req.once('drain', pump);
                return;
              }
            }
            if (!cut) req.end();
          };
          req.on('response', (res) => {
            const sentAtAnswer = sent;
            const answeredMs = performance.now() - started;
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (text: string) => (body += text));
            res.on('end', () => {
              answer = { status: res.statusCode ?? 0, body, sentAtAnswer, answeredMs };
              finish();
            });
            res.on('error', reject);
          });
          req.on('error', () => undefined); // EPIPE or ECONNRESET: the cut
          req.on('close', () => {
            cut = true;
            finish();
          });
          if (isMultipart)
            req.write(Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.glb"\r\n\r\n'));
          pump();
        },
      );
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toEqual({
        error: { code: 'BAD_USER_INPUT', reason: 'too_large', message: 'Файл слишком большой: допускается не более 1 МиБ.' },
      });
      // Answered right after the limit (plus what sits in socket buffers), cut off within the linger allowance.
      expect(result.sentAtAnswer).toBeLessThan(8 * MODEL_LIMIT);
      expect(result.answeredMs).toBeLessThan(1_000);
      expect(result.sent).toBeLessThan(32 * MODEL_LIMIT);
      expect(performance.now() - started).toBeLessThan(3_000);
      await nothingLeft();
    },
  );

  it('survives a client that goes away in the middle of an upload, and leaves nothing', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${base}/uploads/model`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'model/gltf-binary', 'content-length': String(500_000) },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000, 2), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50),
      );
    });
    await waitFor(async () => (await leftovers()).length === 0);
    await nothingLeft();
    // Still serving.
    expect((await upload('sound', wav(), { 'content-type': 'audio/wav' })).status).toBe(201);
  });
});
