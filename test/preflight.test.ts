import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hllMissingMessage, hllStatus } from '../scripts/lib/preflight';
import { ROOT } from '../scripts/lib/services';

describe('a missing local service', () => {
  it('is named with the command that starts it, instead of a stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db.ts', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, POSTGRES_URL: 'postgresql://postgres@127.0.0.1:1/postgres' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'PostgreSQL is not reachable at 127.0.0.1:1. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or: docker compose up -d postgres)',
    );
  });
});

describe('the hll extension on the local PostgreSQL (.ci/run installs its package)', () => {
  it('is available, so npm start passes its preflight', async () => {
    const { available, serverVersionNum } = await hllStatus();
    expect(serverVersionNum).toBeGreaterThanOrEqual(100_000);
    expect(hllMissingMessage(available, serverVersionNum)).toBeNull();
  });
});
