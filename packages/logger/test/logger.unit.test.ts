import { describe, expect, it } from 'vitest';
import { createLogger, requestIdFrom } from '@keylab/logger';

describe('requestIdFrom', () => {
  it('keeps a safe caller id and replaces anything else', () => {
    expect(requestIdFrom('abc-123_XYZ.42')).toBe('abc-123_XYZ.42');
    for (const bad of [undefined, '', 'short', 'has space in it', 'x'.repeat(200), '{"json":1}']) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('createLogger', () => {
  it('writes JSON lines with the service name and never a password, code, token or cookie', () => {
    const lines: string[] = [];
    const logger = createLogger('redact-test', 'info', { write: (line: string) => void lines.push(line) });
    logger.info(
      { password: 'hunter22', code: '123456', session: { token: 'secret-token' }, headers: { cookie: 'kl=1' } },
      'sign in',
    );
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ service: 'redact-test', msg: 'sign in', password: '[redacted]', code: '[redacted]' });
    expect(lines[0]).not.toMatch(/hunter22|123456|secret-token|kl=1/);
  });
});
