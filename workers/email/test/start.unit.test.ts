// The worker process (src/main.ts) when it cannot start: every service it would talk to is unreachable.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { emailSettings } from '@keylab/email-worker';

const WORKER_DIR = new URL('../', import.meta.url).pathname;
const NOWHERE = { AMQP_URL: 'amqp://guest:guest@127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' };

async function runWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: WORKER_DIR,
    env: { ...process.env, ...NOWHERE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 25_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  const lines = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
  return { code, stderr, lines };
}

describe.concurrent('an email worker that cannot start', () => {
  it('logs that RabbitMQ is unreachable, once, and exits with code 1', async () => {
    const { code, stderr, lines } = await runWorker({ PORT: '0' });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const failures = lines.filter((line) => line.level >= 50);
    expect(failures).toEqual([
      expect.objectContaining({
        level: 60,
        msg: 'did not start',
        err: expect.objectContaining({ message: 'rabbitmq not ready in 10 s: connect ECONNREFUSED 127.0.0.1:1' }),
      }),
    ]);
  });

  it('logs that its port is taken, once, and exits with code 1', async () => {
    const taken = createServer().listen(0, '0.0.0.0');
    await once(taken, 'listening');
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, stderr, lines } = await runWorker({ PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe('');
      expect(lines.filter((line) => line.level >= 50)).toEqual([
        expect.objectContaining({
          level: 60,
          msg: 'did not start',
          err: expect.objectContaining({ message: expect.stringMatching(/EADDRINUSE/) }),
        }),
      ]);
    } finally {
      taken.close();
    }
  });

  it('refuses an SMTP_URL that is no URL as a bad setting', () => {
    expect(() => parseConfig(emailSettings, { SMTP_URL: 'smtp://mail example' })).toThrow(
      'SMTP_URL: must be a valid URL (got "smtp://mail example")',
    );
  });
});
