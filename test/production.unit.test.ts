// NODE_ENV=production: no process starts on secrets it would generate for itself (they would differ
// between replicas), and the switches that help development are off.
import { describe, expect, it } from 'vitest';
import { inDevelopment, parseConfig } from '@keylab/config';
import { emailSettings } from '@keylab/email-worker';
import { gatewaySettings } from '@keylab/gateway';
import { keyboardsSettings } from '@keylab/keyboards-subgraph';
import { statsSettings } from '@keylab/stats-subgraph';
import { usersSettings } from '@keylab/users-subgraph';
import { introspectionEnabled, sandboxEnabled, secureCookies } from '../gateway/src/config';
import { adminBanner } from '../scripts/lib/databases';

const SECRET = 'x'.repeat(40);
const PROCESSES = [
  ['users', usersSettings, { JWT_SIGNING_KEY: '{"kty":"OKP"}', CODE_SECRET: SECRET, GATEWAY_SECRET: SECRET }],
  ['keyboards', keyboardsSettings, { FILE_URL_SECRET: SECRET, GATEWAY_SECRET: SECRET }],
  ['stats', statsSettings, { EXPORT_URL_SECRET: SECRET, GATEWAY_SECRET: SECRET }],
  ['gateway', gatewaySettings, { GATEWAY_SECRET: SECRET, CORS_ORIGINS: 'https://keylab.example' }],
] as const;

describe('a production process', () => {
  it.each(PROCESSES)('%s refuses to start without each of its secrets', (_name, schema, required) => {
    expect(() => parseConfig(schema, { NODE_ENV: 'production', ...required })).not.toThrow();
    for (const name of Object.keys(required)) {
      const { [name as keyof typeof required]: _left, ...rest } = required;
      expect(() => parseConfig(schema, { NODE_ENV: 'production', ...rest }), name).toThrow(
        new RegExp(`^${name}: must be set when NODE_ENV=production`),
      );
    }
    // Development generates them.
    expect(() => parseConfig(schema, {})).not.toThrow();
  });

  it('has Secure cookies, no Sandbox and no introspection unless told otherwise', () => {
    const gateway = parseConfig(gatewaySettings, {
      NODE_ENV: 'production',
      GATEWAY_SECRET: SECRET,
      CORS_ORIGINS: 'https://a.example',
    });
    expect(secureCookies(gateway)).toBe(true);
    expect(sandboxEnabled(gateway)).toBe(false);
    expect(introspectionEnabled(gateway)).toBe(false);
    const stats = parseConfig(statsSettings, { NODE_ENV: 'production', EXPORT_URL_SECRET: SECRET, GATEWAY_SECRET: SECRET });
    expect(inDevelopment(stats.SANDBOX, stats.NODE_ENV)).toBe(false);
    expect(inDevelopment(parseConfig(statsSettings, {}).SANDBOX, 'development')).toBe(true);
    expect(
      parseConfig(usersSettings, { NODE_ENV: 'production', JWT_SIGNING_KEY: '{}', CODE_SECRET: SECRET, GATEWAY_SECRET: SECRET })
        .COOKIE_SECURE,
    ).toBe(true);
  });

  it('listens on loopback unless HOST says otherwise', () => {
    for (const [, schema] of PROCESSES) expect(parseConfig(schema, {}).HOST).toBe('127.0.0.1');
    expect(parseConfig(emailSettings, {}).HOST).toBe('127.0.0.1');
  });

  it('never prints a generated administrator password where a log keeps it', () => {
    const admin = { email: 'admin@keylab.local', password: 'generated-password', file: '/data/admin-credentials.txt' };
    expect(adminBanner(admin, { terminal: true, production: false })).toContain('generated-password');
    expect(adminBanner(admin, { terminal: false, production: false })).not.toContain('generated-password');
    expect(adminBanner(admin, { terminal: true, production: true })).not.toContain('generated-password');
    expect(adminBanner(admin, { terminal: false, production: true })).toContain('/data/admin-credentials.txt');
  });
});
