import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { gatewaySettings } from '@keylab/gateway';
import { originPolicy } from '../src/http/origins';

const policy = (env: Record<string, string>, port = 4000) => originPolicy(parseConfig(gatewaySettings, env), () => port);

describe('trusted browser origins', () => {
  it('are, in development, the configured ones and each local address at the gateway’s own port', () => {
    const trusted = policy({ CORS_ORIGINS: 'https://app.keylab.test', PUBLIC_URL: 'https://api.keylab.test/graphql' }, 4100);
    const ipv4 = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
    for (const origin of [
      'https://app.keylab.test',
      'https://api.keylab.test',
      'http://localhost:4100',
      'http://127.0.0.1:4100',
      'http://[::1]:4100',
      `http://${hostname().toLowerCase()}:4100`,
      ...(ipv4 ? [`http://${ipv4}:4100`] : []),
      'https://sandbox.embed.apollographql.com',
    ]) {
      expect(trusted(origin), origin).toBe(true);
    }
  });

  it('never include another port, another scheme, a name that merely resolves here, or garbage', () => {
    const trusted = policy({}, 4100);
    for (const origin of [
      'http://localhost:4101',
      'https://localhost:4100',
      'http://evil.example:4100',
      'http://localhost.evil.example:4100',
      'http://127.0.0.1:4100/path',
      'null',
      '',
      'http://localhost:4100@evil.example',
    ]) {
      expect(trusted(origin), origin).toBe(false);
    }
  });

  it('are, in production, only the configured list and the public URL', () => {
    const trusted = policy({
      NODE_ENV: 'production',
      CORS_ORIGINS: 'https://app.keylab.test',
      PUBLIC_URL: 'https://api.keylab.test',
      GATEWAY_SECRET: 'x'.repeat(40),
    });
    expect(trusted('https://app.keylab.test')).toBe(true);
    expect(trusted('https://api.keylab.test')).toBe(true);
    expect(trusted('http://localhost:4000')).toBe(false);
    expect(trusted('https://sandbox.embed.apollographql.com')).toBe(false);
  });
});
