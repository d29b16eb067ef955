// Every process that cannot start says why through its logger, once, and exits with code 1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;
/** Nothing listens on port 1: whatever a process reaches for first fails. */
const NOWHERE = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/keylab',
  REDIS_URL: 'redis://127.0.0.1:1',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
  JWKS_URL: 'http://127.0.0.1:1/.well-known/jwks.json',
  KEYLAB_DATA_DIR: '',
  LOG_LEVEL: 'info',
};

let taken: ReturnType<typeof createServer>;
let port: number;

beforeAll(async () => {
  taken = createServer().listen(0, '0.0.0.0');
  await once(taken, 'listening');
  port = (taken.address() as AddressInfo).port;
});

afterAll(() => {
  taken?.close();
});

describe.concurrent('a process whose port is taken', () => {
  it.each(['gateway', 'subgraphs/users', 'subgraphs/keyboards', 'subgraphs/stats'])(
    '%s logs why it did not start and exits with code 1',
    async (dir) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: `${ROOT}${dir}`,
        env: { ...process.env, ...NOWHERE, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 40_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code, stderr).toBe(1);
      const lines = stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } });
      const fatal = lines.filter((line) => line.level === 60);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]!.msg).toBe('did not start');
      expect(fatal[0]!.err?.message).toBeTruthy();
    },
    45_000,
  );
});
