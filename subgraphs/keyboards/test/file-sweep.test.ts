// The file sweep through the real stack, on each storage driver: unattached uploads expire, files that
// nothing names stop being served after the grace and their bytes go, and an attach that races the
// sweep either wins (the file stays) or fails cleanly (nothing written).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogueAssets } from '@keylab/models';
import { startStack, type Stack, type TestUser } from '@keylab/test-support';
import { startS3Server, type S3Server } from '@keylab/testing';
import type { Prisma } from '../src/db/generated/client';
import { uniqueGlb, uniquePng } from './unique-files';

// The SDK's notice that its releases after January 2027 need Node 22 is not what these tests are about.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const GRACE_SECONDS = 1;
const DAY_AND_AN_HOUR_MS = 25 * 3600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['fs', 's3'] as const)('the file sweep, with %s storage', (driver) => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;
  let origin: string;
  let glb: Uint8Array;
  let boxTypeId: string;
  let s3: S3Server | undefined;

  beforeAll(async () => {
    const keyboardsEnv: Record<string, string> = {
      FILE_GRACE_SECONDS: String(GRACE_SECONDS),
      // The tests sweep when they mean to.
      FILE_SWEEP_INTERVAL_SECONDS: '3600',
    };
    if (driver === 's3') {
      s3 = await startS3Server(['sweep']);
      Object.assign(keyboardsEnv, {
        FILES_DRIVER: 's3',
        S3_BUCKET: 'sweep',
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      });
    }
    stack = await startStack({ keyboardsEnv });
    [alice, bob] = await Promise.all([stack.createUser(), stack.createUser()]);
    origin = new URL(stack.gatewayUrl).origin;
    glb = (await generateCatalogueAssets({ seed: 7 })).switches['MX Blue']!.glb;
    boxTypeId = (await stack.keyboards.db.boxType.findFirstOrThrow({ where: { title: '60%' } })).id;
  });

  afterAll(async () => {
    const owners = [alice?.id, bob?.id].filter(Boolean);
    await stack?.keyboards.db.box.deleteMany({ where: { ownerId: { in: owners } } });
    await stack?.keyboards.db.storedFile.deleteMany({ where: { ownerId: { in: owners } } });
    await stack?.close();
    await s3?.close();
  });

  async function upload(kind: string, body: Uint8Array, contentType: string, user: TestUser) {
    const response = await fetch(`${origin}/uploads/${kind}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${user.token}` },
      body,
    });
    expect(response.status).toBe(201);
    const { uploadId } = (await response.json()) as { uploadId: string };
    const row = await stack.keyboards.db.storedFile.findUniqueOrThrow({ where: { id: uploadId } });
    return { uploadId, key: row.storageKey, url: `${origin}/files/${row.storageKey}` };
  }

  const createBox = (user: TestUser, files: { modelUploadId?: string; previewUploadId?: string }, title?: string) =>
    stack.graphql<{ createBox: { box: { id: string } } }>(
      'mutation ($i: CreateBoxInput!) { createBox(input: $i) { box { id } } }',
      {
        variables: { i: { title: title ?? `Swept ${crypto.randomUUID().slice(0, 8)}`, boxTypeId, ...files } },
        token: user.token,
      },
    );

  const status = async (url: string) => (await fetch(url)).status;
  const stored = (key: string) => stack.keyboards.storage.exists(key);
  const backdate = (uploadId: string) =>
    stack.keyboards.db.storedFile.update({
      where: { id: uploadId },
      data: { createdAt: new Date(Date.now() - DAY_AND_AN_HOUR_MS) },
    });

  /** Past the grace: a sweep marks what nothing names, the next one (after the grace) removes it. */
  async function sweepPastGrace() {
    await stack.keyboards.sweepFiles();
    await sleep(GRACE_SECONDS * 1000 + 200);
    return stack.keyboards.sweepFiles();
  }

  it('removes an upload nobody attached once UPLOAD_TTL_HOURS have passed, and its bytes; a fresh one stays', async () => {
    const old = await upload('preview', uniquePng(), 'image/png', alice);
    const fresh = await upload('preview', uniquePng(), 'image/png', alice);
    await backdate(old.uploadId);

    const result = await stack.keyboards.sweepFiles();
    expect(result.removed).toBeGreaterThanOrEqual(1);
    expect(await stack.keyboards.db.storedFile.findUnique({ where: { id: old.uploadId } })).toBeNull();
    expect(await stored(old.key)).toBe(false);
    expect(await stack.keyboards.db.storedFile.findUnique({ where: { id: fresh.uploadId } })).not.toBeNull();
    expect(await stored(fresh.key)).toBe(true);
    // Gone for good: the id no longer attaches.
    const attach = await createBox(alice, { previewUploadId: old.uploadId });
    expect(attach.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'previewUploadId' });
  });

  it('stops serving a deleted box’s files after the grace and reclaims their bytes; attached and default files stay', async () => {
    const model = await upload('model', uniqueGlb(glb), 'model/gltf-binary', alice);
    const preview = await upload('preview', uniquePng(), 'image/png', alice);
    const keptPreview = await upload('preview', uniquePng(), 'image/png', alice);
    const doomed = await createBox(alice, { modelUploadId: model.uploadId, previewUploadId: preview.uploadId });
    const kept = await createBox(alice, { previewUploadId: keptPreview.uploadId });
    expect(doomed.errors).toBeUndefined();
    expect(kept.errors).toBeUndefined();
    const defaults = await stack.keyboards.db.storedFile.count({ where: { ownerId: null } });
    const defaultFile = await stack.keyboards.db.storedFile.findFirstOrThrow({ where: { ownerId: null, kind: 'sound' } });
    expect(await status(model.url)).toBe(200);

    const deleted = await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
      variables: { id: doomed.data!.createBox.box.id },
      token: alice.token,
    });
    expect(deleted.errors).toBeUndefined();
    // Marked, but still served during the grace (a page that had the URL keeps working for a moment).
    expect((await stack.keyboards.sweepFiles()).marked).toBeGreaterThanOrEqual(2);
    expect(await status(model.url)).toBe(200);

    await sleep(GRACE_SECONDS * 1000 + 200);
    const result = await stack.keyboards.sweepFiles();
    expect(result.removed).toBeGreaterThanOrEqual(2);
    expect(result.reclaimed).toBeGreaterThanOrEqual(2);
    expect(await status(model.url)).toBe(404);
    expect(await status(preview.url)).toBe(404);
    expect(await stored(model.key)).toBe(false);
    expect(await stored(preview.key)).toBe(false);
    expect(await status(keptPreview.url)).toBe(200);
    expect(await stored(keptPreview.key)).toBe(true);
    expect(await stack.keyboards.db.storedFile.count({ where: { ownerId: null } })).toBe(defaults);
    if (driver === 'fs') {
      expect(await stored(defaultFile.storageKey)).toBe(true);
      expect(await status(`${origin}/files/${defaultFile.storageKey}`)).toBe(200);
    }
  });

  it('removes a file its item replaced, after the grace', async () => {
    const first = await upload('preview', uniquePng(), 'image/png', bob);
    const second = await upload('preview', uniquePng(), 'image/png', bob);
    const box = await createBox(bob, { previewUploadId: first.uploadId });
    const replaced = await stack.graphql('mutation ($i: ReplaceBoxFilesInput!) { replaceBoxFiles(input: $i) { box { id } } }', {
      variables: { i: { id: box.data!.createBox.box.id, previewUploadId: second.uploadId } },
      token: bob.token,
    });
    expect(replaced.errors).toBeUndefined();
    await sweepPastGrace();
    expect(await status(first.url)).toBe(404);
    expect(await stored(first.key)).toBe(false);
    expect(await status(second.url)).toBe(200);
  });

  it('keeps bytes that another account’s attached upload still names', async () => {
    const png = uniquePng();
    const alices = await upload('preview', png, 'image/png', alice);
    const bobs = await upload('preview', png, 'image/png', bob);
    expect(bobs.key).toBe(alices.key);
    const box = await createBox(alice, { previewUploadId: alices.uploadId });
    expect((await createBox(bob, { previewUploadId: bobs.uploadId })).errors).toBeUndefined();
    await stack.graphql('mutation ($id: ID!) { deleteBox(input: { id: $id }) { id } }', {
      variables: { id: box.data!.createBox.box.id },
      token: alice.token,
    });
    await sweepPastGrace();
    expect(await stack.keyboards.db.storedFile.findUnique({ where: { id: alices.uploadId } })).toBeNull();
    expect(await stored(bobs.key)).toBe(true);
    expect(await status(bobs.url)).toBe(200);
  });

  /** Waits until a query matching `pattern` waits for a lock in this database. */
  async function blockedOn(pattern: string) {
    for (let i = 0; i < 200; i++) {
      const [row] = await stack.keyboards.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE ${pattern}`;
      if (row!.n > 0) return;
      await sleep(25);
    }
    throw new Error(`no query like ${pattern} waited for a lock`);
  }

  /** A transaction that does `hold` and stays open until `release()`, then rolls back. */
  function heldOpen(hold: (tx: Prisma.TransactionClient) => Promise<unknown>) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let ready!: () => void;
    const holding = new Promise<void>((resolve) => (ready = resolve));
    const done = stack.keyboards.db
      .$transaction(
        async (tx) => {
          await hold(tx);
          ready();
          await released;
          throw new Error('rolled back on purpose');
        },
        { timeout: 30_000 },
      )
      .catch(() => undefined);
    return { holding, release: () => (release(), done) };
  }

  // Driver-independent (rows and locks only): once is enough.
  if (driver === 'fs') {
    it('an attach that meets the sweep deleting its upload fails cleanly and writes nothing', async () => {
      const expired = await upload('preview', uniquePng(), 'image/png', alice);
      await backdate(expired.uploadId);
      // Holds the sweep inside its DELETE statement (its queue insert waits for this uncommitted row of the
      // same key), with the upload's row deleted and locked but not yet committed.
      const blocker = heldOpen((tx) => tx.fileReclaim.create({ data: { storageKey: expired.key } }));
      await blocker.holding;
      const sweep = stack.keyboards.sweepFiles();
      await blockedOn('%WITH gone%');
      const title = `Raced ${crypto.randomUUID().slice(0, 8)}`;
      const attach = createBox(alice, { previewUploadId: expired.uploadId }, title);
      await blockedOn('UPDATE "public"."files"%');
      await blocker.release();

      expect((await sweep).removed).toBeGreaterThanOrEqual(1);
      const answer = await attach;
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'previewUploadId' });
      expect(await stack.keyboards.db.box.findFirst({ where: { ownerId: alice.id, title } })).toBeNull();
      expect(await stack.keyboards.db.storedFile.findUnique({ where: { id: expired.uploadId } })).toBeNull();
    });

    it('a sweep that meets an attach in flight leaves its upload, which then stays attached', async () => {
      const expired = await upload('preview', uniquePng(), 'image/png', alice);
      await backdate(expired.uploadId);
      const title = `Raced ${crypto.randomUUID().slice(0, 8)}`;
      // Holds the attach inside its transaction (its box insert waits for this uncommitted box of the same
      // title), after it has claimed the upload's row.
      const blocker = heldOpen((tx) => tx.box.create({ data: { ownerId: alice.id, title, boxTypeId } }));
      await blocker.holding;
      const attach = createBox(alice, { previewUploadId: expired.uploadId }, title);
      await blockedOn('INSERT INTO "public"."boxes"%');

      await stack.keyboards.sweepFiles();
      expect(await stack.keyboards.db.storedFile.findUnique({ where: { id: expired.uploadId } })).not.toBeNull();
      await blocker.release();
      const answer = await attach;
      expect(answer.errors).toBeUndefined();

      await sweepPastGrace();
      const row = await stack.keyboards.db.storedFile.findUniqueOrThrow({ where: { id: expired.uploadId } });
      expect(row.attachedAt).not.toBeNull();
      expect(row.unreferencedSince).toBeNull();
      expect(await stored(expired.key)).toBe(true);
      expect(await status(expired.url)).toBe(200);
    });
  }
});
