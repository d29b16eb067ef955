// Files behind nginx, as docker compose serves them: docker/nginx/keylab.conf on loopback in front of the gateway
// and of a keyboards service with FILES_ACCEL_REDIRECT, which answers /files with X-Accel-Redirect while nginx
// sends the bytes from the files folder. Every answer is compared with the Node path (the same file through the
// gateway and a keyboards service that streams it). Needs nginx: `apt-get install nginx` (.ci/run installs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { createLogger } from '@keylab/logger';
import { generateCatalogueAssets } from '@keylab/models';
import { toGlobalId } from '@keylab/server';
import { startStack, TEST_DATABASES, TEST_FILES_DIR, type Stack, type TestUser } from '@keylab/test-support';
import { ensureNginx, startKeylabNginx, type RunningNginx } from '../../../bench/src/nginx';
import { keyboardsSettings } from '../src/config';
import { startKeyboardsService, type KeyboardsService } from '../src/service';
import { uniqueGlb, uniquePng } from './unique-files';

const ACCEL_PREFIX = '/internal-files/';
/** What a browser relies on, on every path. */
const COMPARED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'cache-control',
  'etag',
  'x-content-type-options',
  'content-security-policy',
  'cross-origin-resource-policy',
];

const found = await ensureNginx((line) => console.log(`files-nginx: ${line}`));
const skipReason = 'reason' in found ? `nginx is not available, so these tests are skipped: ${found.reason}` : undefined;
if (skipReason) console.warn(`files-nginx: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('files behind nginx with X-Accel-Redirect (docker/nginx/keylab.conf)', () => {
  let stack: Stack;
  let accelKeyboards: KeyboardsService;
  let nginx: RunningNginx;
  let alice: TestUser;
  let boxTypeId: string;
  let glb: Buffer;
  let gateway: string;

  beforeAll(async () => {
    // Both keyboards services check the signatures of the same private URLs.
    const fileUrlSecret = crypto.randomUUID();
    stack = await startStack({ keyboardsEnv: { FILE_URL_SECRET: fileUrlSecret } });
    gateway = new URL(stack.gatewayUrl).origin;
    accelKeyboards = await startKeyboardsService(
      parseConfig(keyboardsSettings, {
        LOG_LEVEL: 'silent',
        PORT: '0',
        GATEWAY_SECRET: stack.gatewaySecret,
        CACHE_PREFIX: `test-${crypto.randomUUID()}`,
        DATABASE_URL: TEST_DATABASES.keyboards,
        FILES_DIR: TEST_FILES_DIR,
        JWKS_URL: `${stack.users.url}/.well-known/jwks.json`,
        STATS_EXCHANGE: stack.statsExchange,
        FILE_URL_SECRET: fileUrlSecret,
        FILES_ACCEL_REDIRECT: ACCEL_PREFIX,
      }),
      createLogger('test', 'silent'),
    );
    nginx = await startKeylabNginx('path' in found ? found.path : '', {
      gateway,
      keyboards: accelKeyboards.url,
      filesDir: TEST_FILES_DIR,
    });
    alice = await stack.createUser();
    boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
    glb = uniqueGlb((await generateCatalogueAssets({ seed: 7 })).switches['MX Blue']!.glb);
  });

  afterAll(async () => {
    await nginx?.close();
    await accelKeyboards?.close();
    if (alice) {
      await stack.keyboards.db.box.deleteMany({ where: { ownerId: alice.id } });
      await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: alice.id } });
    }
    await stack?.close();
  });

  /** As a browser would, through nginx: the upload goes on to the gateway, which passes it to the keyboards service. */
  async function upload(kind: 'model' | 'preview', body: Uint8Array, contentType: string) {
    const response = await fetch(`${nginx.origin}/uploads/${kind}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${alice.token}` },
      body,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { uploadId: string; sha256: string };
  }

  async function attachedModel(): Promise<{ path: string; sha256: string }> {
    const { uploadId, sha256 } = await upload('model', glb, 'model/gltf-binary');
    const created = await stack.graphql<{ createBox: { box: { model: { url: string } } } }>(
      'mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { model { url } } } }',
      {
        variables: { i: { title: `Behind nginx ${crypto.randomUUID().slice(0, 6)}`, boxTypeId, modelUploadId: uploadId } },
        token: alice.token,
      },
    );
    expect(created.errors).toBeUndefined();
    // The URL names the configured public origin; here nginx and the gateway are on free ports.
    return { path: new URL(created.data!.createBox.box.model.url).pathname, sha256 };
  }

  const headersOf = (response: Response) =>
    Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)]).filter(([, value]) => value !== null));

  /** The same request on both paths: the same status, headers and bytes; nginx's answer is returned. */
  async function sameOnBothPaths(pathAndQuery: string, init: RequestInit = {}) {
    const [node, behindNginx] = await Promise.all([
      fetch(`${gateway}${pathAndQuery}`, init),
      fetch(`${nginx.origin}${pathAndQuery}`, init),
    ]);
    expect(behindNginx.status, pathAndQuery).toBe(node.status);
    const expected = headersOf(node);
    // nginx advertises ranges on whole answers only (as for every static file), not on the 206 of one.
    if (node.status === 206) delete expected['accept-ranges'];
    expect(headersOf(behindNginx), pathAndQuery).toEqual(expected);
    expect(behindNginx.headers.get('x-accel-redirect')).toBeNull();
    const [nodeBytes, nginxBytes] = await Promise.all([node.arrayBuffer(), behindNginx.arrayBuffer()]);
    expect(Buffer.from(nginxBytes).equals(Buffer.from(nodeBytes)), `${pathAndQuery}: other bytes`).toBe(true);
    return { response: behindNginx, body: Buffer.from(nginxBytes) };
  }

  it('serves an uploaded model from disk with the headers of the Node path', async () => {
    const { path, sha256 } = await attachedModel();
    const { response, body } = await sameOnBothPaths(path);
    expect(response.status).toBe(200);
    expect(body.equals(glb)).toBe(true);
    expect(headersOf(response)).toEqual({
      'content-type': 'model/gltf-binary',
      'content-length': String(glb.length),
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable',
      etag: `"${sha256}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'same-site',
    });
  });

  it('answers HEAD, Range, If-Range and If-None-Match as the Node path does', async () => {
    const { path, sha256 } = await attachedModel();
    const etag = `"${sha256}"`;
    const head = await sameOnBothPaths(path, { method: 'HEAD' });
    expect(head.response.headers.get('content-length')).toBe(String(glb.length));
    const part = await sameOnBothPaths(path, { headers: { range: 'bytes=4-11' } });
    expect(part.response.status).toBe(206);
    expect(part.response.headers.get('content-range')).toBe(`bytes 4-11/${glb.length}`);
    expect(part.body.equals(glb.subarray(4, 12))).toBe(true);
    expect((await sameOnBothPaths(path, { headers: { range: 'bytes=-4' } })).body.equals(glb.subarray(-4))).toBe(true);
    expect((await sameOnBothPaths(path, { headers: { range: 'bytes=0-3', 'if-range': etag } })).response.status).toBe(206);
    const stale = await sameOnBothPaths(path, { headers: { range: 'bytes=0-3', 'if-range': `"${'0'.repeat(64)}"` } });
    expect(stale.response.status).toBe(200);
    expect((await sameOnBothPaths(path, { headers: { 'if-none-match': etag } })).response.status).toBe(304);
  });

  it('refuses unknown, private and tampered files, and keeps the internal location internal', async () => {
    const { uploadId } = await upload('preview', uniquePng(), 'image/png');
    const signed = new URL(
      (
        await stack.graphql<{ myUpload: { url: string } }>('query ($id: ID!) { myUpload(id: $id) { url } }', {
          variables: { id: uploadId },
          token: alice.token,
        })
      ).data!.myUpload.url,
    );
    expect(signed.search).toMatch(/signature=/);
    const viaSignature = await sameOnBothPaths(`${signed.pathname}${signed.search}`);
    expect(viaSignature.response.status).toBe(200);
    expect(viaSignature.response.headers.get('cache-control')).toBe('private, max-age=60');
    expect((await sameOnBothPaths(signed.pathname)).response.status).toBe(404);
    const forged = signed.search.replace(/signature=[^&]+/, 'signature=forged');
    expect((await sameOnBothPaths(`${signed.pathname}${forged}`)).response.status).toBe(404);
    const unknown = await sameOnBothPaths(`/files/sha256/00/${'0'.repeat(64)}.glb`);
    expect(unknown.response.status).toBe(404);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await sameOnBothPaths('/files/sha256/..%2f..%2fetc%2fpasswd')).response.status).toBe(404);

    const stored = await stack.keyboards.db.storedFile.findUniqueOrThrow({ where: { id: uploadId } });
    expect((await fetch(`${nginx.origin}${ACCEL_PREFIX}${stored.storageKey}`)).status).toBe(404);
    expect((await fetch(`${nginx.origin}${signed.pathname}${signed.search}`, { method: 'DELETE' })).status).toBe(403);
  });

  it('sends no bytes from the keyboards service itself: only the redirect', async () => {
    const { path } = await attachedModel();
    const answer = await fetch(`${accelKeyboards.url}${path}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-accel-redirect')).toBe(`${ACCEL_PREFIX}${path.slice('/files/'.length)}`);
    expect((await answer.arrayBuffer()).byteLength).toBe(0);
  });
});
