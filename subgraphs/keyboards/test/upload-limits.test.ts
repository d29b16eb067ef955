// Uploads are bounded per account, through the gateway: a rate of uploads (refused files count too) and a
// quota of bytes in uploads that no item names yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { uniquePng } from './unique-files';

const RATE_LIMIT = 5;

let stack: Stack;
let origin: string;
let glb: Uint8Array;
let boxTypeId: string;
const users: TestUser[] = [];

beforeAll(async () => {
  glb = (await generateCatalogueAssets({ seed: 7 })).switches['MX Blue']!.glb;
  stack = await startStack({
    keyboardsEnv: {
      UPLOAD_RATE_LIMIT: String(RATE_LIMIT),
      UPLOAD_RATE_WINDOW_SECONDS: '600',
      // Two of the model fit, not three.
      UPLOAD_QUOTA_BYTES: String(Math.floor(glb.byteLength * 2.5)),
    },
  });
  origin = new URL(stack.gatewayUrl).origin;
  boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
});

afterAll(async () => {
  const owners = users.map((user) => user.id);
  await stack?.keyboards.db.box.deleteMany({ where: { ownerId: { in: owners } } });
  await stack?.keyboards.db.storedFile.deleteMany({ where: { ownerId: { in: owners } } });
  await stack?.close();
});

async function newUser() {
  const user = await stack.createUser();
  users.push(user);
  return user;
}

async function upload(kind: string, body: Uint8Array, contentType: string, user: TestUser, language = 'en') {
  const response = await fetch(`${origin}/uploads/${kind}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${user.token}`, 'accept-language': language },
    body,
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { uploadId?: string; error?: Record<string, unknown> & { code: string; message: string } },
  };
}

describe('upload limits per account', () => {
  it('refuses uploads past the rate with RATE_LIMITED and when to retry, counting refused files; others still upload', async () => {
    const carol = await newUser();
    for (let i = 0; i < RATE_LIMIT - 1; i++) expect((await upload('preview', uniquePng(), 'image/png', carol)).status).toBe(201);
    expect((await upload('preview', Buffer.from('not an image'), 'image/png', carol)).status).toBe(400);

    const limited = await upload('preview', uniquePng(), 'image/png', carol, 'ru');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    const seconds = limited.body.error!.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(600);
    expect(limited.retryAfter).toBe(String(seconds));
    expect(limited.body.error!.message).toMatch(/[а-я]/);

    const dave = await newUser();
    expect((await upload('preview', uniquePng(), 'image/png', dave)).status).toBe(201);
  });

  it('refuses an upload that would take the account’s unattached uploads past the quota, until one is attached', async () => {
    const erin = await newUser();
    const first = await upload('model', glb, 'model/gltf-binary', erin);
    expect(first.status).toBe(201);
    expect((await upload('model', glb, 'model/gltf-binary', erin)).status).toBe(201);

    const over = await upload('model', glb, 'model/gltf-binary', erin);
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'upload_quota' });
    expect(over.body.error!.message).toMatch(/KiB/);
    // Without a Content-Length the body is read and inspected first; recording it is refused the same way.
    const streamed = await fetch(`${origin}/uploads/model`, {
      method: 'POST',
      headers: { 'content-type': 'model/gltf-binary', authorization: `Bearer ${erin.token}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(glb);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { reason: 'upload_quota' } });
    expect(await stack.keyboards.db.storedFile.count({ where: { ownerId: erin.id } })).toBe(2);

    const attached = await stack.graphql('mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { id } } }', {
      variables: { i: { title: 'Quota box', boxTypeId, modelUploadId: first.body.uploadId } },
      token: erin.token,
    });
    expect(attached.errors).toBeUndefined();
    expect((await upload('model', glb, 'model/gltf-binary', erin)).status).toBe(201);
  });
});
