import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@keylab/logger';
import { createBroker, newEventId } from '@keylab/messaging';
import { gatewayProofHeaders } from '@keylab/server';
import { createStatsDb, removeVisitors } from '@keylab/stats-subgraph';
import { waitFor } from '@keylab/testing';
import { TEST_DATABASES, TEST_FILES_DIR } from '@keylab/test-support';
import { ROOT } from '../scripts/lib/services';

interface Running {
  child: ChildProcess;
  output: () => string;
  /** The port from the "ready" log line. */
  port: number;
  /** Sends SIGTERM; resolves with how the process ended. */
  terminate(): Promise<{ code: number | null; signal: string | null }>;
}

/** A subgraph answers the gateway only: this file signs its direct requests as the gateway would. */
const GATEWAY_SECRET = randomBytes(32).toString('base64url');

/** Starts a service's src/main.ts as `npm start` would, and waits for its ready line. */
async function startProcess(folder: string, env: Record<string, string>, ready: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: `${ROOT}${folder}`,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes(ready), 30_000);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(output.split('\n').find((line) => line.includes(ready)) ?? '')?.[1]);
  return {
    child,
    output: () => output,
    port,
    async terminate() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, string | null];
      return { code, signal };
    },
  };
}

describe('a process sent SIGTERM', () => {
  it('stops its server and connections and exits with code 0', async () => {
    const dataDir = mkdtempSync(`${tmpdir()}/keylab-shutdown-`);
    const users = await startProcess(
      'subgraphs/users',
      { DATABASE_URL: TEST_DATABASES.users, KEYLAB_DATA_DIR: dataDir },
      'users subgraph ready',
    );
    try {
      expect(await users.terminate()).toEqual({ code: 0, signal: null });
      expect(users.output()).toMatch(/"msg":"stopping"/);
    } finally {
      users.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('finishes a request that was in flight before it exits', async () => {
    const keyboards = await startProcess(
      'subgraphs/keyboards',
      {
        DATABASE_URL: TEST_DATABASES.keyboards,
        FILES_DIR: TEST_FILES_DIR,
        CACHE_PREFIX: `test-${crypto.randomUUID()}`,
        GATEWAY_SECRET: GATEWAY_SECRET,
      },
      'keyboards subgraph ready',
    );
    try {
      // The body arrives in two halves, with the signal in between.
      const body = JSON.stringify({ query: '{ boxTypes { title } }' });
      let sendRest!: () => void;
      const rest = new Promise<void>((resolve) => (sendRest = resolve));
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode(body.slice(0, 10)));
          await rest;
          controller.enqueue(new TextEncoder().encode(body.slice(10)));
          controller.close();
        },
      });
      const answer = fetch(`http://127.0.0.1:${keyboards.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...gatewayProofHeaders(GATEWAY_SECRET) },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ended = keyboards.terminate();
      await waitFor(() => keyboards.output().includes('"msg":"stopping"'));
      sendRest();
      const response = await answer;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: { boxTypes: unknown[] } }).data.boxTypes).toHaveLength(4);
      expect(await ended).toEqual({ code: 0, signal: null });
    } finally {
      keyboards.child.kill('SIGKILL');
    }
  });

  it('writes the statistics events it has taken from the queue before it exits', async () => {
    const names = { exchange: `test.stats.${crypto.randomUUID()}`, queue: `test.stats.${crypto.randomUUID()}.ingest` };
    // A long flush interval: the events are only written because of the shutdown.
    const stats = await startProcess(
      'subgraphs/stats',
      { DATABASE_URL: TEST_DATABASES.stats, STATS_EXCHANGE: names.exchange, STATS_QUEUE: names.queue, INGEST_FLUSH_MS: '10000' },
      'stats subgraph ready',
    );
    const broker = createBroker({
      url: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      name: 'test-shutdown',
      logger: createLogger('test', 'silent'),
    });
    const visitorId = `shutdown-${crypto.randomUUID()}`;
    const db = createStatsDb(TEST_DATABASES.stats);
    try {
      await broker.channel.waitForConnect();
      // "Ready" says the process serves; its consumer may still be declaring the queue (a 404 until then).
      const consumers = () =>
        broker.channel.checkQueue(names.queue).then(
          (queue) => queue.consumerCount,
          () => 0,
        );
      await waitFor(async () => (await consumers()) === 1);
      const at = new Date().toISOString();
      const events = Array.from({ length: 3 }, () => ({
        kind: 'activity',
        id: newEventId(),
        at,
        tag: 'see_box',
        visitorId,
        userId: null,
      }));
      await broker.publishJson(names.exchange, 'test', { version: 1, events });
      // Taken by the consumer (nothing ready in the queue), not yet written.
      await waitFor(async () => (await broker.channel.checkQueue(names.queue)).messageCount === 0);
      const count = () => db.event.count({ where: { visitorId } });
      expect(await count()).toBe(0);
      expect(await stats.terminate()).toEqual({ code: 0, signal: null });
      expect(await count()).toBe(3);
    } finally {
      stats.child.kill('SIGKILL');
      await removeVisitors(db, { ids: [visitorId] });
      await db.$disconnect();
      await broker.channel.deleteQueue(names.queue).catch(() => undefined);
      await broker.channel.deleteQueue(`${names.queue}.dead`).catch(() => undefined);
      await broker.channel.deleteExchange(names.exchange).catch(() => undefined);
      await broker.close();
    }
  });
});
