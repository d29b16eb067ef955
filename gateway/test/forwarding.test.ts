// The subgraphs answer the gateway only, and believe only what it vouches for; the gateway believes
// X-Forwarded-For only from the proxies TRUST_PROXY names.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { gatewaySettings, startGateway } from '@keylab/gateway';
import { GATEWAY_PROOF_HEADER, signForwarded } from '@keylab/server';
import { postGraphQL, startStack, type Stack } from '@keylab/test-support';
import { captureLogs, type CapturedLogs } from '@keylab/testing';

let stack: Stack;
let logs: CapturedLogs;
const secret = 'a-gateway-secret-of-this-test-file-0123456789';

beforeAll(async () => {
  logs = captureLogs();
  stack = await startStack({ logger: logs.logger, env: { GATEWAY_SECRET: secret }, gatewayEnv: { TRUST_PROXY: '1' } });
});

afterAll(async () => {
  await stack?.close();
});

const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { accessToken } }`;
const signInAs = { variables: { input: { email: 'nobody@example.test', password: 'wrong password' } } };

describe('a subgraph called around the gateway', () => {
  it('listens on loopback only, by default', () => {
    for (const service of [stack.users, stack.keyboards, stack.stats]) {
      expect((service.server.address() as AddressInfo).address).toBe('127.0.0.1');
    }
  });

  it('refuses a request without the gateway’s proof, whatever address it claims', async () => {
    for (const url of [stack.users.url, stack.keyboards.url, stack.stats.url]) {
      const answer = await postGraphQL(`${url}/graphql`, SIGN_IN, {
        ...signInAs,
        headers: { 'x-client-ip': '203.0.113.66', 'accept-language': 'ru' },
      });
      expect(answer.status).toBe(403);
      expect(answer.errors).toEqual([{ message: 'Этот сервис отвечает только шлюзу.', extensions: { code: 'FORBIDDEN' } }]);
    }
  });

  it('refuses a proof made with another secret, an old one, or one over other values', async () => {
    const requestId = crypto.randomUUID();
    const identity = { requestId, clientIp: '203.0.113.66', visitorId: null };
    const attempts = [
      signForwarded('not-the-gateway-secret-0123456789abcdef', identity),
      signForwarded(secret, identity, Date.now() - 5 * 60_000),
      signForwarded(secret, { ...identity, clientIp: '198.51.100.1' }),
      'garbage',
    ];
    for (const proof of attempts) {
      const answer = await postGraphQL(`${stack.users.url}/graphql`, SIGN_IN, {
        ...signInAs,
        headers: { 'x-request-id': requestId, 'x-client-ip': '203.0.113.66', [GATEWAY_PROOF_HEADER]: proof },
      });
      expect(answer.status, proof).toBe(403);
    }
  });

  it('answers what the gateway sends, with the address it vouched for', async () => {
    const requestId = crypto.randomUUID();
    const identity = { requestId, clientIp: '192.0.2.10', visitorId: null };
    const answer = await postGraphQL(`${stack.users.url}/graphql`, SIGN_IN, {
      ...signInAs,
      headers: {
        'x-request-id': requestId,
        'x-client-ip': '192.0.2.10',
        [GATEWAY_PROOF_HEADER]: signForwarded(secret, identity),
      },
    });
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(operationLine('users', requestId)?.clientIp).toBe('192.0.2.10');
  });
});

describe('the client address behind proxies (TRUST_PROXY)', () => {
  it('takes X-Forwarded-For from as many proxies as TRUST_PROXY says, and forwards it signed', async () => {
    const requestId = crypto.randomUUID();
    await stack.graphql('query Me { me { id } }', { headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId } });
    expect(operationLine('users', requestId)?.clientIp).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For where TRUST_PROXY is false', async () => {
    const gateway = await startGateway(
      parseConfig(gatewaySettings, {
        LOG_LEVEL: 'silent',
        PORT: '0',
        TRUST_PROXY: 'false',
        GATEWAY_SECRET: secret,
        USERS_URL: `${stack.users.url}/graphql`,
        KEYBOARDS_URL: `${stack.keyboards.url}/graphql`,
        STATS_URL: `${stack.stats.url}/graphql`,
        JWKS_URL: `${stack.users.url}/.well-known/jwks.json`,
        STATS_EXCHANGE: stack.statsExchange,
      }),
      logs.logger,
    );
    try {
      const requestId = crypto.randomUUID();
      await postGraphQL(`${gateway.url}/graphql`, 'query Me { me { id } }', {
        headers: { 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId },
      });
      expect(operationLine('users', requestId)?.clientIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await gateway.close();
    }
  });
});

/** The users subgraph's log line of one operation (its request log, at debug level). */
function operationLine(graph: string, requestId: string) {
  return logs.lines.find((line) => line.graph === graph && line.requestId === requestId && line.msg === 'graphql operation') as
    { clientIp?: string } | undefined;
}
