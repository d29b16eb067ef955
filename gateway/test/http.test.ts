import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, waitFor, type CapturedLogs } from '@keylab/testing';
import { startStack, type Stack } from '@keylab/test-support';

let stack: Stack;
let logs: CapturedLogs;
let origin: string;

beforeAll(async () => {
  logs = captureLogs();
  stack = await startStack({ logger: logs.logger, env: { CORS_ORIGINS: 'https://app.keylab.test' } });
  origin = new URL(stack.gatewayUrl).origin;
});

afterAll(async () => {
  await stack?.close();
});

const query = JSON.stringify({ query: '{ boxTypes { title } }' });

describe('health', () => {
  it('answers liveness', async () => {
    const response = await fetch(`${origin}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('reports each subgraph in readiness', async () => {
    const response = await fetch(`${origin}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['keyboards', 'stats', 'users']);
    expect(Object.values(body.checks).every((check) => check.ok)).toBe(true);
  });

  it('reports a subgraph readiness covering its database, Redis and RabbitMQ', async () => {
    const response = await fetch(`${stack.keyboards.url}/ready`);
    const body = (await response.json()) as { checks: Record<string, { ok: boolean }> };
    expect(response.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'rabbitmq', 'redis']);
  });
});

describe('CSRF prevention', () => {
  const formPost = { 'content-type': 'application/x-www-form-urlencoded' };
  const formBody = 'query=%7B%20boxTypes%20%7B%20title%20%7D%20%7D';

  it('refuses a simple cross-site form post', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { ...formPost, origin: 'https://evil.example', 'accept-language': 'ru' },
      body: formBody,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Запросы с этого источника (origin) не принимаются.', extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('refuses a form post without an origin too (no preflight-forcing content type)', async () => {
    const response = await fetch(stack.gatewayUrl, { method: 'POST', headers: formPost, body: formBody });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
  });

  it('refuses a credentialed JSON request from a foreign origin, cookies and token included', async () => {
    const user = await stack.createUser();
    const rename = JSON.stringify({
      query: 'mutation { changeNickname(input: { nickname: "hijacked" }) { user { nickname } } }',
    });
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'https://evil.example',
        cookie: 'kl_refresh=whatever; kl_vid=0123456789abcdef0123456789abcdef',
        authorization: `Bearer ${user.token}`,
      },
      body: rename,
    });
    expect(response.status).toBe(403);
    const me = await stack.graphql<{ me: { nickname: string } }>('{ me { nickname } }', { token: user.token });
    expect(me.data!.me.nickname).toBe(user.nickname);
    const allowed = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://app.keylab.test' },
      body: query,
    });
    expect(allowed.status).toBe(200);
  });

  it('refuses an upload from a foreign origin', async () => {
    const response = await fetch(`${origin}/uploads/model`, {
      method: 'POST',
      headers: { 'content-type': 'model/gltf-binary', origin: 'https://evil.example' },
      body: new Uint8Array(16),
    });
    expect(response.status).toBe(403);
  });

  it('refuses a GET operation without a preflight header', async () => {
    const response = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ boxTypes { title } }')}`);
    expect(response.status).toBe(400);
  });
});

describe('CORS', () => {
  it('allows an origin on the allow-list, with credentials', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.keylab.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.keylab.test');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives no CORS grant to another origin', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('request identity', () => {
  it('sets a visitor cookie and echoes a request id', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: query,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^kl_vid=[0-9a-f]{32}; .*HttpOnly; SameSite=Lax/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the visitor of the cookie and does not set it again', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'kl_vid=0123456789abcdef0123456789abcdef' },
      body: query,
    });
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('forwards the request id, visitor id and language to the subgraphs', async () => {
    const requestId = `req-${crypto.randomUUID()}`;
    const visitorId = `visitor${crypto.randomUUID().replaceAll('-', '')}`;
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, 'x-visitor-id': visitorId },
      body: JSON.stringify({ query: 'query Spans { boxTypes { title } me { id } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const seen = logs.lines.filter((line) => line.requestId === requestId && line.msg === 'graphql operation');
    expect(seen.map((line) => line.graph ?? 'gateway').sort()).toEqual(['gateway', 'keyboards', 'users']);
    expect(seen.every((line) => line.visitorId === visitorId)).toBe(true);
  });

  it('replaces a request id that is not safe to log', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id\nwith newline' },
      body: query,
    }).catch(() => null);
    // fetch itself refuses a header with a newline; a space is enough to be refused by the gateway.
    const spaced = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: query,
    });
    expect(response).toBeNull();
    expect(spaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('landing page', () => {
  it('serves Apollo Sandbox in development', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/src="https:\/\/embeddable-sandbox\.cdn\.apollographql\.com/);
  });

  it('serves the production landing page, without Sandbox, in production', async () => {
    const production = await startStack({ gatewayEnv: { NODE_ENV: 'production', CORS_ORIGINS: 'https://app.keylab.test' } });
    try {
      const response = await fetch(production.gatewayUrl, { headers: { accept: 'text/html' } });
      const html = await response.text();
      expect(response.status).toBe(200);
      expect(html).not.toMatch(/src="https:\/\/embeddable-sandbox\.cdn\.apollographql\.com/);
      expect(html).toContain(encodeURIComponent('"isProd":true'));
    } finally {
      await production.close();
    }
  });
});

describe('a subgraph that is down', () => {
  it('makes readiness fail and name it, while the other subgraphs still answer', async () => {
    const partial = await startStack();
    try {
      await partial.stats.close();
      // Readiness reuses its last report for a second.
      let ready!: Response;
      await waitFor(async () => (ready = await fetch(`${new URL(partial.gatewayUrl).origin}/ready`)).status === 503, 5_000);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(ready.status).toBe(503);
      expect(body.checks.stats?.ok).toBe(false);
      expect(body.checks.keyboards?.ok).toBe(true);
      const { data } = await partial.graphql<{ boxTypes: unknown[] }>('{ boxTypes { title } }');
      expect(data?.boxTypes).toHaveLength(4);
    } finally {
      await partial.close();
    }
  });
});
