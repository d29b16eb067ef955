import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@keylab/config';
import { gatewaySettings, startGateway } from '@keylab/gateway';
import { createLogger } from '@keylab/logger';
import { launchBrowser, offlineContext } from '@keylab/testing';
import { startStack, type Stack } from '@keylab/test-support';
import { PAGES_DIR } from '@keylab/web';

let stack: Stack;
let browser: Browser;
let port: number;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  port = Number(new URL(stack.gatewayUrl).port);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A page of the gateway in a context that cannot reach the internet (Apollo's CDN fails, as offline). */
async function openOffline(path: string, host = 'localhost') {
  const { context, blocked } = await offlineContext(browser);
  const page = await context.newPage();
  await page.goto(`http://${host}:${port}${path}`);
  return { page, blocked, close: () => context.close() };
}

/** A JSON POST from inside the page, as Sandbox's embed relay sends it (with the page's cookies). */
const postFromPage = (page: Page, url: string, query: string, token?: string) =>
  page.evaluate(
    async ({ url, query, token }) => {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
    },
    { url, query, token },
  );

describe('Apollo Sandbox on the landing page', () => {
  it('runs a query and a mutation from the page itself, at each local address of the gateway', async () => {
    const user = await stack.createUser();
    for (const host of ['localhost', '127.0.0.1']) {
      const { page, close } = await openOffline('/graphql', host);
      const query = await postFromPage(page, '/graphql', '{ boxTypes { title } }');
      expect(query.status).toBe(200);
      expect((query.body.data!.boxTypes as unknown[]).length).toBeGreaterThan(0);
      const nickname = `sandbox_${host.replaceAll('.', '_')}`;
      const mutation = await postFromPage(
        page,
        '/graphql',
        `mutation { changeNickname(input: { nickname: "${nickname}" }) { user { nickname } } }`,
        user.token,
      );
      expect(mutation).toEqual({
        status: 200,
        body: {
          data: { changeNickname: { user: { nickname } } },
          extensions: { cost: { requestedQueryCost: 8, maximumAvailable: 50_000 } },
        },
      });
      await close();
    }
  });

  it('still refuses a page on a foreign origin: no CORS grant, and 403 for a request that needs none', async () => {
    const user = await stack.createUser();
    const foreign = await serveForeignPage();
    const { context } = await offlineContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(foreign.url);
      const gateway = `http://localhost:${port}/graphql`;
      const rename = `mutation { changeNickname(input: { nickname: "hijacked" }) { user { nickname } } }`;
      // A JSON POST needs a CORS preflight, which the gateway does not grant to this origin.
      const json = await page.evaluate(
        ({ gateway, rename, token }) =>
          fetch(gateway, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: rename }),
          }).then(
            () => 'answered',
            (error: Error) => error.name,
          ),
        { gateway, rename, token: user.token },
      );
      expect(json).toBe('TypeError');
      // A simple request goes without a preflight: the origin guard refuses it before anything runs.
      const [refusal] = await Promise.all([
        page.waitForResponse((response) => response.url() === gateway),
        page.evaluate(
          ({ gateway, rename }) =>
            fetch(gateway, { method: 'POST', mode: 'no-cors', credentials: 'include', body: JSON.stringify({ query: rename }) }),
          { gateway, rename },
        ),
      ]);
      expect(refusal.status()).toBe(403);
      const me = await stack.graphql<{ me: { nickname: string } }>('{ me { nickname } }', { token: user.token });
      expect(me.data!.me.nickname).toBe(user.nickname);
    } finally {
      await context.close();
      await foreign.close();
    }
  });

  it('trusts the origins of Apollo’s embedded Sandbox and Explorer in development', async () => {
    for (const origin of ['https://sandbox.embed.apollographql.com', 'https://explorer.embed.apollographql.com']) {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ query: '{ boxTypes { title } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('offers the pages that need no internet where Sandbox cannot load', async () => {
    const { page, blocked, close } = await openOffline('/graphql');
    const links = page.locator('#keylab-pages a');
    await links.first().waitFor();
    expect(await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')))).toEqual(['/graphiql/', '/admin/']);
    expect(blocked.some((url) => url.startsWith('https://embeddable-sandbox.cdn.apollographql.com/'))).toBe(true);
    await links.first().click();
    await page.waitForURL(`http://localhost:${port}/graphiql/`);
    await close();
  });
});

describe('GraphiQL at /graphiql/', () => {
  const FIRST_EXAMPLE = /^(?:query|mutation) (\w+)/m.exec(
    readFileSync(new URL('../../docs/operations.graphql', import.meta.url), 'utf8'),
  )![1];

  /** Opens an example's tab and waits until its operation is in the editor (the Run button runs that one). */
  async function openTab(page: Page, name: string) {
    // Monaco draws spaces as no-break spaces.
    const editorText = async () =>
      (await page.locator('.graphiql-query-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
    // A tab chosen before the editor has loaded its first one would not show.
    await expect.poll(editorText, { timeout: 15_000 }).toContain(`query ${FIRST_EXAMPLE}`);
    // The open tab's name also holds its close button's label.
    const tab = page.getByRole('tab', { name: new RegExp(`^${name}\\b`) });
    await tab.click();
    await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true');
    await expect.poll(editorText).toContain(`query ${name}`);
  }

  it('runs an example operation with every address but localhost unreachable', async () => {
    const { page, blocked, close } = await openOffline('/graphiql/');
    // Every example of docs/operations.graphql has a tab.
    await page.getByRole('tab', { name: 'BoxTypes', exact: true }).waitFor();
    expect(await page.getByRole('tab', { name: 'SignIn', exact: true }).count()).toBe(1);
    await openTab(page, 'BoxTypes');
    await page.getByRole('button', { name: /Execute query/ }).click();
    const result = page.locator('.result-window');
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toContain('"boxTypes"');
    const seeded = await stack.graphql<{ boxTypes: { title: string }[] }>('{ boxTypes { title } }');
    expect(await result.innerText()).toContain(seeded.data!.boxTypes[0]!.title);
    expect(blocked).toEqual([]);
    await close();
  });

  it('sends the access token of the headers pane and shows the schema docs from introspection', async () => {
    const user = await stack.createUser();
    const { page, blocked, close } = await openOffline('/graphiql/');
    await openTab(page, 'Me');
    await page.getByText('Headers', { exact: true }).click();
    await page.locator('.graphiql-editor-tool .monaco-editor').last().click();
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${user.token}` }));
    await page.getByRole('button', { name: /Execute query/ }).click();
    const result = page.locator('.result-window');
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toContain(user.nickname);

    await page.getByRole('button', { name: /Show Documentation Explorer/ }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText()).toContain('activitySeries');
    expect(blocked).toEqual([]);
    await close();
  });

  it('is served with a policy that allows this origin only, and caches its hashed files for a year', async () => {
    const html = await fetch(`http://localhost:${port}/graphiql/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const asset = readdirSync(join(PAGES_DIR, 'graphiql/assets')).find((name) => name.endsWith('.js'))!;
    const file = await fetch(`http://localhost:${port}/graphiql/assets/${asset}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`http://localhost:${port}/graphiql`, { redirect: 'manual' })).headers.get('location')).toBe('/graphiql/');
  });
});

describe('a production gateway', () => {
  const silent = createLogger('test', 'silent');
  const productionGateway = (env: Record<string, string>) =>
    startGateway(
      parseConfig(gatewaySettings, {
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        PORT: '0',
        GATEWAY_SECRET: stack.gatewaySecret,
        USERS_URL: `${stack.users.url}/graphql`,
        KEYBOARDS_URL: `${stack.keyboards.url}/graphql`,
        STATS_URL: `${stack.stats.url}/graphql`,
        JWKS_URL: `${stack.users.url}/.well-known/jwks.json`,
        STATS_EXCHANGE: stack.statsExchange,
        CORS_ORIGINS: 'https://app.keylab.test',
        PUBLIC_URL: 'https://api.keylab.test/graphql',
        ...env,
      }),
      silent,
    );

  it('trusts only the configured origins, serves the dashboard and no explorer', async () => {
    const gateway = await productionGateway({});
    try {
      const post = (origin: string) =>
        fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify({ query: '{ boxTypes { title } }' }),
        });
      expect((await post('https://app.keylab.test')).status).toBe(200);
      expect((await post('https://api.keylab.test')).status).toBe(200);
      expect((await post(`http://localhost:${gateway.port}`)).status).toBe(403);
      expect((await post('https://sandbox.embed.apollographql.com')).status).toBe(403);
      expect((await fetch(`${gateway.url}/admin/`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/graphiql/`)).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  it('says so, in the caller’s language, when the pages were never built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'keylab-pages-'));
    const gateway = await productionGateway({ PAGES_DIR: empty });
    try {
      const response = await fetch(`${gateway.url}/admin/`, { headers: { 'accept-language': 'ru' } });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: 'Эта страница ещё не собрана на сервере: выполните npm run build -w @keylab/web.',
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          },
        ],
      });
    } finally {
      await gateway.close();
      rmSync(empty, { recursive: true });
    }
  });
});

/** A page on another origin (another port of this machine), as a site an attacker controls. */
async function serveForeignPage(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>elsewhere</p>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
