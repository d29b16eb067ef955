import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, subgraphSettings } from '@keylab/config';

const settings = subgraphSettings('keylab_example', 4999);
const ROOT = new URL('../../../', import.meta.url).pathname;

describe('parseConfig', () => {
  it('gives local defaults when nothing is set', () => {
    const config = parseConfig(settings, {});
    expect(config).toMatchObject({
      PORT: 4999,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/keylab_example',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
  });

  it('names the bad setting, the rule and the value', () => {
    expect(() => parseConfig(settings, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig(settings, { PORT: '70000' })).toThrow(/^PORT: .*\(got "70000"\)$/);
    expect(() => parseConfig(settings, { DATABASE_URL: 'mysql://x' })).toThrow(
      'DATABASE_URL: must be a postgresql:// URL (got "mysql://x")',
    );
    expect(() => parseConfig(settings, { LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: /);
  });

  it('takes RabbitMQ as one URL or one per node of a cluster, and nothing else', () => {
    const nodes = 'amqp://guest:guest@127.0.0.1:5672,amqp://guest:guest@127.0.0.1:5673, amqps://u:p@rabbit-3:5671/keylab';
    expect(parseConfig(settings, { AMQP_URL: nodes }).AMQP_URL).toBe(nodes);
    for (const bad of ['amqp://a:5672,', 'amqp://a:5672,redis://b:6379', 'amqp://a:5672 amqp://b:5672']) {
      expect(() => parseConfig(settings, { AMQP_URL: bad }), bad).toThrow(/^AMQP_URL: must be an amqp:\/\/ URL/);
    }
  });
});

describe('a process with a bad setting', () => {
  it.each([
    ['gateway', 'gateway', { PORT: 'abc' }, /^gateway: bad setting PORT: /],
    [
      'subgraphs/keyboards',
      'keyboards',
      { REDIS_URL: 'localhost' },
      /^keyboards: bad setting REDIS_URL: must be a redis:\/\/ URL/,
    ],
    ['workers/email', 'email-worker', { SMTP_URL: 'mail.example' }, /^email-worker: bad setting SMTP_URL: /],
  ])('%s exits with one line that says which setting and why', (dir, _name, env, pattern) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: `${ROOT}${dir}`,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });
});
