import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { fromGlobalId, toGlobalId } from '@keylab/server';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { uniquePng } from './unique-files';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;
let origin: string;
let glb: Uint8Array;
let webp: Uint8Array;
let sound: Uint8Array;
let boxTypeId: string;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob] = await Promise.all([stack.createUser(), stack.createUser()]);
  origin = new URL(stack.gatewayUrl).origin;
  const assets = await generateCatalogueAssets({ seed: 7 });
  glb = assets.switches['MX Blue']!.glb;
  webp = assets.switches['MX Blue']!.preview;
  sound = assets.switches['MX Blue']!.sound;
  boxTypeId = toGlobalId('BoxType', (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id);
});

afterAll(async () => {
  const owners = [alice?.id, bob?.id].filter(Boolean);
  await stack.keyboards.db.box.deleteMany({ where: { ownerId: { in: owners } } });
  await stack.keyboards.db.storedFile.deleteMany({ where: { ownerId: { in: owners } } });
  await stack?.close();
});

async function upload(kind: string, body: Uint8Array, contentType: string, token?: string, language = 'en') {
  const response = await fetch(`${origin}/uploads/${kind}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'accept-language': language, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      uploadId?: string;
      durationSeconds?: number;
      error?: { reason: string; message: string };
    },
  };
}

/** A file URL names the configured public origin; in the test the gateway is on a free port. */
const viaGateway = (url: string) => `${origin}${new URL(url).pathname}`;

describe('files through the gateway', () => {
  it('uploads a model and a preview, attaches them to a new box, and serves them with type, ETag, Range and immutable caching', async () => {
    const model = await upload('model', glb, 'model/gltf-binary', alice.token);
    expect(model.status).toBe(201);
    expect(model.body).toMatchObject({ contentType: 'model/gltf-binary', byteSize: glb.byteLength });
    const preview = await upload('preview', webp, 'image/webp', alice.token);
    expect(preview.status).toBe(201);

    const created = await stack.graphql<{
      createBox: {
        box: {
          model: {
            url: string;
            contentType: string;
            byteSize: number;
            sha256: string;
            model: { vertexCount: number; triangleCount: number; boundingBox: { min: number[] } };
          };
          preview: { url: string; contentType: string };
        };
      };
    }>(
      `mutation ($input: CreateBoxInput!) { createBox(input: $input) { box {
        model { url contentType byteSize sha256 model { vertexCount triangleCount boundingBox { min max } } }
        preview { url contentType } } } }`,
      {
        variables: {
          input: {
            title: 'Box with files',
            boxTypeId,
            modelUploadId: model.body.uploadId,
            previewUploadId: preview.body.uploadId,
          },
        },
        token: alice.token,
      },
    );
    expect(created.errors).toBeUndefined();
    const box = created.data!.createBox.box;
    expect(box.model).toMatchObject({ contentType: 'model/gltf-binary', byteSize: glb.byteLength });
    expect(box.model.model.vertexCount).toBeGreaterThan(0);
    expect(box.model.model.triangleCount).toBeGreaterThan(0);
    expect(box.model.model.boundingBox.min).toHaveLength(3);
    expect(box.preview.contentType).toBe('image/webp');

    const download = await fetch(viaGateway(box.model.url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('model/gltf-binary');
    expect(download.headers.get('cache-control')).toMatch(/immutable/);
    const etag = download.headers.get('etag')!;
    expect(etag).toContain(box.model.sha256);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(glb))).toBe(true);

    const again = await fetch(viaGateway(box.model.url), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const part = await fetch(viaGateway(box.model.url), { headers: { range: 'bytes=0-11' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-11/${glb.byteLength}`);
    expect(
      Buffer.from(await part.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('glTF');
  });

  it('refuses an anonymous upload, a file that is not what it claims, and stores nothing', async () => {
    const before = await stack.keyboards.db.storedFile.count();
    expect((await upload('model', glb, 'model/gltf-binary')).status).toBe(401);
    const fake = await upload('model', Buffer.from('not a model at all, just text'), 'model/gltf-binary', alice.token, 'ru');
    expect(fake.status).toBe(400);
    expect(fake.body.error).toMatchObject({ reason: 'not_glb' });
    expect(fake.body.error!.message).toMatch(/[а-я]/);
    const truncated = await upload('model', glb.subarray(0, 100), 'model/gltf-binary', alice.token);
    expect(truncated.status).toBe(400);
    expect((await upload('sound', webp, 'audio/mpeg', alice.token)).status).toBe(400);
    expect(await stack.keyboards.db.storedFile.count()).toBe(before);
  });

  it('will not attach someone else’s upload or an upload of the wrong kind', async () => {
    const bobs = await upload('model', glb, 'model/gltf-binary', bob.token);
    const preview = await upload('preview', webp, 'image/webp', alice.token);
    const create = (input: Record<string, unknown>) =>
      stack.graphql('mutation ($input: CreateBoxInput!) { createBox(input: $input) { box { id } } }', {
        variables: { input: { title: `Borrowed ${crypto.randomUUID().slice(0, 6)}`, boxTypeId, ...input } },
        token: alice.token,
      });
    expect((await create({ modelUploadId: bobs.body.uploadId })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'modelUploadId',
    });
    expect((await create({ modelUploadId: preview.body.uploadId })).errors?.[0]?.extensions?.field).toBe('modelUploadId');
  });

  it('replaces the model of one keycap of my kit, and refuses someone else', async () => {
    const kit = await stack.graphql<{ createKit: { kit: { id: string; keycaps: { nodes: { id: string }[] } } } }>(
      'mutation ($t: ID!) { createKit(input: { title: "Kit for files", boxTypeId: $t }) { kit { id keycaps(first: 1) { nodes { id } } } } }',
      { variables: { t: boxTypeId }, token: alice.token },
    );
    const keycapId = kit.data!.createKit.kit.keycaps.nodes[0]!.id;
    const mine = await upload('model', glb, 'model/gltf-binary', alice.token);
    const replace = (token: string, modelUploadId: string) =>
      stack.graphql<{ replaceKeycapModel: { keycap: { model: { sha256: string } } } }>(
        'mutation ($i: ReplaceKeycapModelInput!) { replaceKeycapModel(input: $i) { keycap { model { sha256 } } } }',
        { variables: { i: { keycapId, modelUploadId } }, token },
      );
    const bobs = await upload('model', glb, 'model/gltf-binary', bob.token);
    expect((await replace(bob.token, bobs.body.uploadId!)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const replaced = await replace(alice.token, mine.body.uploadId!);
    expect(replaced.errors).toBeUndefined();
    expect(replaced.data?.replaceKeycapModel.keycap.model.sha256).toBe(mine.body.sha256);
    await stack.keyboards.db.kit.delete({ where: { id: fromGlobalId(kit.data!.createKit.kit.id)!.id } });
  });
});

describe('sounds', () => {
  it('refuses a sound that only starts like one, and answers the duration of a real one', async () => {
    const html = Buffer.from('<html><script>fetch("/graphql",{method:"POST",credentials:"include"})</script></html>');
    const riff = Buffer.alloc(12);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(4 + html.length, 4);
    riff.write('WAVE', 8, 'latin1');
    const fake = await upload('sound', Buffer.concat([riff, html]), 'audio/wav', alice.token);
    expect(fake.status).toBe(400);
    expect(fake.body.error).toMatchObject({ reason: 'sound_invalid' });

    const real = await upload('sound', sound, 'audio/wav', alice.token);
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({ contentType: 'audio/wav', durationSeconds: expect.any(Number) });
    expect(real.body.durationSeconds).toBeGreaterThan(0);
  });
});

describe('headers of /files and /exports through the gateway', () => {
  const expectSafe = (headers: Headers) => {
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(headers.get('cross-origin-resource-policy')).toBe('same-site');
  };

  it('serves stored files and exports as inert content: nosniff, a sandboxing CSP and CORP same-site', async () => {
    const file = await stack.keyboards.db.storedFile.findFirstOrThrow({ where: { ownerId: null, kind: 'model' } });
    const download = await fetch(`${origin}/files/${file.storageKey}`);
    expect(download.status).toBe(200);
    expectSafe(download.headers);
    const missing = await fetch(`${origin}/files/sha256/00/${'0'.repeat(64)}.glb`);
    expect(missing.status).toBe(404);
    expectSafe(missing.headers);
    const exported = await fetch(`${origin}/exports/${crypto.randomUUID()}.csv`);
    expect(exported.status).toBeGreaterThanOrEqual(400);
    expectSafe(exported.headers);
  });
});

describe('the default catalogue', () => {
  it('has generated, valid files for every switch, box, kit, keycap and keyboard, downloadable through the gateway', async () => {
    const { data, errors } = await stack.graphql<{
      switches: {
        nodes: {
          title: string;
          model: { url: string; model: { triangleCount: number } };
          sound: { url: string; contentType: string };
          preview: { contentType: string };
        }[];
      };
      boxes: { nodes: { model: { url: string } | null; preview: { url: string } | null }[] };
      kits: {
        nodes: {
          preview: { url: string } | null;
          keycaps: { totalCount: number; nodes: { model: { contentType: string } | null }[] };
        }[];
      };
      keyboards: { nodes: { model: { model: { vertexCount: number } } | null; preview: { url: string } | null }[] };
    }>(`{
      switches { nodes { title model { url model { triangleCount } } sound { url contentType } preview { contentType } } }
      boxes { nodes { model { url } preview { url } } }
      kits(first: 10) { nodes { preview { url } keycaps(first: 100) { totalCount nodes { model { contentType } } } } }
      keyboards { nodes { model { model { vertexCount } } preview { url } } }
    }`);
    expect(errors).toBeUndefined();
    for (const item of data!.switches.nodes) {
      expect(item.model.model.triangleCount, item.title).toBeGreaterThan(0);
      expect(item.sound.contentType).toMatch(/^audio\//);
      expect(item.preview.contentType).toBe('image/webp');
    }
    expect(data!.boxes.nodes.every((box) => box.model && box.preview)).toBe(true);
    for (const kit of data!.kits.nodes) {
      expect(kit.preview).not.toBeNull();
      expect(kit.keycaps.nodes).toHaveLength(kit.keycaps.totalCount);
      expect(kit.keycaps.nodes.every((keycap) => keycap.model?.contentType === 'model/gltf-binary')).toBe(true);
    }
    expect(data!.keyboards.nodes.every((keyboard) => keyboard.model!.model.vertexCount > 0 && keyboard.preview)).toBe(true);

    const sound = await fetch(viaGateway(data!.switches.nodes[0]!.sound.url));
    expect(sound.status).toBe(200);
    expect(sound.headers.get('content-type')).toMatch(/^audio\//);
  });
});

describe('an upload not attached yet', () => {
  it('is served only through its signed, expiring URL, and publicly once attached', async () => {
    const uploaded = await upload('preview', uniquePng(), 'image/png', bob.token);
    expect(uploaded.status).toBe(201);
    const urlOf = async () =>
      (
        await stack.graphql<{ myUpload: { url: string } }>('query ($id: ID!) { myUpload(id: $id) { url } }', {
          variables: { id: uploaded.body.uploadId },
          token: bob.token,
        })
      ).data!.myUpload.url;
    const signed = new URL(await urlOf());
    expect(signed.search).toMatch(/signature=/);
    const path = `${origin}${signed.pathname}`;
    expect((await fetch(path)).status).toBe(404);
    expect((await fetch(`${path}${signed.search.replace(/signature=[^&]+/, 'signature=forged')}`)).status).toBe(404);
    const viaSignature = await fetch(`${path}${signed.search}`);
    expect(viaSignature.status).toBe(200);
    expect(viaSignature.headers.get('cache-control')).toMatch(/^private/);
    const others = await stack.graphql('query ($id: ID!) { myUpload(id: $id) { url } }', {
      variables: { id: uploaded.body.uploadId },
      token: alice.token,
    });
    expect(others.data).toEqual({ myUpload: null });

    await stack.graphql('mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { id } } }', {
      variables: {
        i: { title: `Attached ${crypto.randomUUID().slice(0, 6)}`, boxTypeId, previewUploadId: uploaded.body.uploadId },
      },
      token: bob.token,
    });
    const attached = await urlOf();
    expect(attached).not.toMatch(/signature=/);
    const open = await fetch(viaGateway(attached));
    expect(open.status).toBe(200);
    expect(open.headers.get('cache-control')).toMatch(/immutable/);
  });
});
