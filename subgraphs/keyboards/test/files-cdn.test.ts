// With FILES_DRIVER=s3 and FILES_CDN_URL, public files are linked straight at the bucket (here s3rver's, path-style;
// in production a CDN in front of it), so their bytes never pass through Node; an upload nobody attached yet keeps
// its signed, expiring URL through the gateway, which only this service can check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { startS3Server, type S3Server } from '@keylab/testing';
import { uniqueGlb } from './unique-files';

// The SDK's notice that its releases after January 2027 need Node 22 is not what these tests are about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BUCKET = 'cdn';

describe('file URLs at the bucket (FILES_CDN_URL)', () => {
  let s3: S3Server;
  let stack: Stack;
  let alice: TestUser;
  let cdn: string;
  let gateway: string;

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    cdn = `${s3.endpoint}/${BUCKET}`;
    stack = await startStack({
      keyboardsEnv: {
        FILES_DRIVER: 's3',
        S3_BUCKET: BUCKET,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        // A trailing slash is dropped: URLs get exactly one.
        FILES_CDN_URL: `${cdn}/`,
      },
    });
    gateway = new URL(stack.gatewayUrl).origin;
    alice = await stack.createUser();
  });

  afterAll(async () => {
    if (alice) {
      await stack.keyboards.db.box.deleteMany({ where: { ownerId: alice.id } });
      await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: alice.id } });
    }
    await stack?.close();
    await s3?.close();
  });

  it('links an attached model at the bucket, where its bytes are; before that only its signed URL serves it', async () => {
    const glb = uniqueGlb((await generateCatalogueAssets({ seed: 7 })).switches['MX Blue']!.glb);
    const uploaded = await fetch(`${gateway}/uploads/model`, {
      method: 'POST',
      headers: { 'content-type': 'model/gltf-binary', authorization: `Bearer ${alice.token}` },
      body: glb,
    });
    expect(uploaded.status).toBe(201);
    const { uploadId } = (await uploaded.json()) as { uploadId: string };
    const { storageKey } = await stack.keyboards.db.storedFile.findUniqueOrThrow({ where: { id: uploadId } });

    const mine = await stack.graphql<{ myUpload: { url: string } }>('query ($id: ID!) { myUpload(id: $id) { url } }', {
      variables: { id: uploadId },
      token: alice.token,
    });
    const signed = new URL(mine.data!.myUpload.url);
    expect(signed.origin).toBe('http://localhost:4000');
    expect(signed.pathname).toBe(`/files/${storageKey}`);
    expect(signed.search).toMatch(/signature=/);
    const viaGateway = await fetch(`${gateway}${signed.pathname}${signed.search}`);
    expect(viaGateway.status).toBe(200);
    expect(Buffer.from(await viaGateway.arrayBuffer()).equals(glb)).toBe(true);
    expect((await fetch(`${gateway}${signed.pathname}`)).status).toBe(404);

    const boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
    const created = await stack.graphql<{ createBox: { box: { model: { url: string } } } }>(
      'mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { model { url } } } }',
      {
        variables: { i: { title: `On the CDN ${crypto.randomUUID().slice(0, 6)}`, boxTypeId, modelUploadId: uploadId } },
        token: alice.token,
      },
    );
    expect(created.errors).toBeUndefined();
    const url = created.data!.createBox.box.model.url;
    expect(url).toBe(`${cdn}/${storageKey}`);
    const fromBucket = await fetch(url);
    expect(fromBucket.status).toBe(200);
    expect(fromBucket.headers.get('content-type')).toBe('model/gltf-binary');
    expect(Buffer.from(await fromBucket.arrayBuffer()).equals(glb)).toBe(true);
    // Links given out before keep working through the gateway.
    expect((await fetch(`${gateway}/files/${storageKey}`)).status).toBe(200);
  });

  it('links the default catalogue at the CDN too', async () => {
    const { data, errors } = await stack.graphql<{ switches: { nodes: { model: { url: string }; sound: { url: string } }[] } }>(
      '{ switches { nodes { model { url } sound { url } } } }',
    );
    expect(errors).toBeUndefined();
    const urls = data!.switches.nodes.flatMap((item) => [item.model.url, item.sound.url]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(new RegExp(`^${cdn}/sha256/[0-9a-f]{2}/[0-9a-f]{64}\\.[a-z0-9]+$`));
  });
});
