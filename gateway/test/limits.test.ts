import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keylab/test-support';

let stack: Stack;
let production: Stack;

beforeAll(async () => {
  [stack, production] = await Promise.all([
    startStack(),
    startStack({ gatewayEnv: { NODE_ENV: 'production', CORS_ORIGINS: 'https://app.keylab.test', GRAPHQL_MAX_COST: '300' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), production?.close()]);
});

/** me { keyboards { nodes { owner { … id } } } }: three levels per turn. */
function nested(turns: number, leaf = 'id'): string {
  let selection = leaf;
  for (let i = 0; i < turns; i += 1) selection = `keyboards { nodes { owner { ${selection} } } }`;
  return `{ me { ${selection} } }`;
}

/** The refusal of `limit` among the errors of an operation that must not have run. */
async function refused(query: string, limit: string, locale = 'en', target = stack) {
  const answer = await target.graphql(query, { headers: { 'accept-language': locale } });
  expect(answer.data ?? null).toBeNull();
  const error = answer.errors!.find((candidate) => candidate.extensions?.limit === limit);
  expect(error, JSON.stringify(answer.errors)).toBeDefined();
  return { status: answer.status, error: error! };
}

describe('operation limits at the gateway', () => {
  it('refuses an operation nested too deep, saying how deep and the limit, in the caller language', async () => {
    const ok = await stack.graphql(nested(3));
    expect(ok.errors).toBeUndefined();
    const { status, error } = await refused(nested(4), 'depth', 'ru');
    expect(status).toBe(400);
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 12, found: 14 });
    expect(error.message).toBe('Операция вложена на 14 уровней; допускается не более 12.');
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 21 }, (_, i) => `a${i}: boxTypes { id }`).join(' ');
    const { error } = await refused(`{ ${aliases} }`, 'aliases');
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', max: 20, found: 21 });
    expect(error.message).toBe('The operation uses 21 aliases; at most 20 are allowed.');
  });

  it('refuses too many directives', async () => {
    const fields = Array.from({ length: 21 }, () => 'id @include(if: true)').join(' ');
    const { error } = await refused(`{ boxTypes { ${fields} } }`, 'directives');
    expect(error.extensions).toMatchObject({ limit: 'directives', max: 20, found: 21 });
  });

  it('refuses an operation too long to parse', async () => {
    const { error } = await refused(`{ boxTypes { ${'id '.repeat(3_000)} } }`, 'tokens');
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens', max: 3_000 });
    expect(error.message).toBe('The operation is too long: at most 3000 tokens are allowed.');
  });

  it('counts the tokens of a GET operation too', async () => {
    const query = encodeURIComponent(`{ boxTypes { ${'id '.repeat(3_000)} } }`);
    const response = await fetch(`${stack.gatewayUrl}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens', max: 3_000 });
  });

  it('refuses an operation that would cost too much', async () => {
    // This gateway allows a cost of 300 (the default is 50,000).
    const ok = await production.graphql(nested(1));
    expect(ok.errors).toBeUndefined();
    // A page size written in the document multiplies the cost of what is under it.
    const { error } = await refused('{ keyboards(first: 100) { nodes { id title } } }', 'cost', 'en', production);
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 300 });
    expect(Number(error.extensions!.found)).toBeGreaterThan(300);
  });
});

describe('request limits', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers a batch of operations, and refuses a batch longer than 10', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ boxTypes { id } }' })));
    const small = await post(batch(2));
    expect(small.status).toBe(200);
    const answers = (await small.json()) as { data: unknown }[];
    expect(answers).toHaveLength(2);
    expect(answers.every((answer) => answer.data)).toBe(true);
    const large = await post(batch(11), { 'accept-language': 'ru' });
    expect(large.status).toBe(400);
    expect(await large.json()).toEqual({
      errors: [{ message: 'Пакет может содержать не более 10 операций.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses a body over 256 kB and a body that is not JSON, with GraphQL-shaped errors', async () => {
    const huge = await post(JSON.stringify({ query: '{ boxTypes { id } }', variables: { pad: 'x'.repeat(300_000) } }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
    const broken = await post('{"query": "{ boxTypes { id } }"');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});

describe('introspection', () => {
  const schemaQuery = '{ __schema { queryType { name } } }';

  it('is on in development, with field suggestions', async () => {
    const answer = await stack.graphql<{ __schema: { queryType: { name: string } } }>(schemaQuery);
    expect(answer.data!.__schema.queryType.name).toBe('Query');
    const typo = await stack.graphql('{ boxTypez { id } }');
    expect(typo.errors![0]!.message).toMatch(/Did you mean/);
  });

  it('is off in production, and field suggestions do not leak the schema', async () => {
    const answer = await production.graphql(schemaQuery);
    expect(answer.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await production.graphql('{ boxTypez { id } }');
    expect(typo.errors![0]!.message).not.toMatch(/Did you mean|boxTypes/);
  });
});
