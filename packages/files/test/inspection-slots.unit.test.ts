import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRejected, FsStorage, InspectionSlots, uploadRouter } from '@keylab/files';
import { tempDir } from './helpers';
import { wav } from './sounds';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function refusal(promise: Promise<unknown>): Promise<FileRejected> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileRejected);
  return error as FileRejected;
}

describe('inspection slots', () => {
  it('runs at most `concurrency` at once; the next waits in line and gets the slot that comes free', async () => {
    const slots = new InspectionSlots({ concurrency: 2, waitMs: 5_000 });
    const [a, b] = [gate(), gate()];
    const order: string[] = [];
    const first = slots.run(async () => (await a.opened, order.push('a')));
    const second = slots.run(async () => (await b.opened, order.push('b')));
    const third = slots.run(async () => order.push('c'));
    expect(slots.stats).toEqual({ running: 2, waiting: 1 });
    b.open();
    await second;
    await third;
    expect(order).toEqual(['b', 'c']);
    a.open();
    await first;
    expect(slots.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses as busy (503, with when to retry) after waiting too long, and at once when the line is full', async () => {
    const slots = new InspectionSlots({ concurrency: 1, waitMs: 50, maxWaiting: 1 });
    const held = gate();
    const holder = slots.run(() => held.opened);
    const waiting = slots.run(async () => 'never');
    expect(() => slots.admit()).toThrow(FileRejected);
    const full = await refusal(slots.run(async () => 'never'));
    expect(full).toMatchObject({ reason: 'busy', status: 503, code: 'SERVICE_UNAVAILABLE', params: { retryAfterSeconds: 1 } });
    expect((await refusal(waiting)).reason).toBe('busy');
    held.open();
    await holder;
    expect(await slots.run(async () => 'ran')).toBe('ran');
    expect(slots.stats).toEqual({ running: 0, waiting: 0 });
  });
});

describe('an upload while every inspection slot is taken', () => {
  let server: Server;
  let base = '';
  let storageDir: Awaited<ReturnType<typeof tempDir>>;
  const slots = new InspectionSlots({ concurrency: 1, waitMs: 100, maxWaiting: 1 });

  beforeAll(async () => {
    storageDir = await tempDir('slots');
    const app = express();
    app.use(
      uploadRouter({
        storage: new FsStorage(storageDir.path),
        inspections: slots,
        authorize: () => 'alice',
        onStored: () => ({ uploadId: 'up-1' }),
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
  });

  const upload = () =>
    fetch(`${base}/uploads/sound`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Uint8Array(wav()) });

  it('waits briefly, then answers 503 busy with Retry-After; once a slot is free it is inspected', async () => {
    const held = gate();
    const holder = slots.run(() => held.opened);
    const busy = await upload();
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toMatchObject({
      error: {
        code: 'SERVICE_UNAVAILABLE',
        reason: 'busy',
        retryAfterSeconds: 1,
        message: expect.stringMatching(/Try again in 1 s/),
      },
    });
    held.open();
    await holder;
    const accepted = await upload();
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ uploadId: 'up-1', contentType: 'audio/wav', durationSeconds: 0.1 });
  });
});
