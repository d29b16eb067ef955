import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@keylab/test-support';
import { captureLogs } from '@keylab/testing';

let stack: Stack;
let production: Stack;
const logs = captureLogs();

beforeAll(async () => {
  [stack, production] = await Promise.all([
    startStack({ logger: logs.logger }),
    startStack({ gatewayEnv: { NODE_ENV: 'production', CORS_ORIGINS: 'https://app.keylab.test', GRAPHQL_MAX_COST: '300' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), production?.close()]);
});

/** me { keyboards(first: 1) { nodes { owner { … id } } } }: three levels per turn, each a page of one (cheap). */
function nested(turns: number, leaf = 'id'): string {
  let selection = leaf;
  for (let i = 0; i < turns; i += 1) selection = `keyboards(first: 1) { nodes { owner { ${selection} } } }`;
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
    // GraphQL Armor's scale: ((2 + 1.5 × 2) × 1.5 + 2) × 100.
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 300, found: 950 });
    expect(error.message).toBe('The operation would cost 950; at most 300 is allowed: ask for fewer items or fields.');
  });
});

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: { cost?: { requestedQueryCost: number | null; maximumAvailable: number } };
}

/** One operation through the gateway under a request id of its own, with the whole answer (extensions too). */
async function ask(query: string, variables?: Record<string, unknown>, target = stack) {
  const requestId = `cost-${crypto.randomUUID()}`;
  const response = await fetch(target.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ query, variables }),
  });
  return { requestId, answer: { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) } };
}

const costOf = async (query: string, variables?: Record<string, unknown>) =>
  (await ask(query, variables)).answer.extensions?.cost;

const subgraphsCalled = (requestId: string) =>
  logs.lines.filter((line) => line.requestId === requestId && line.msg === 'graphql operation' && line.graph);

describe('operation cost', () => {
  const heavyLiteral = '{ kits(first: 100) { nodes { keycaps(first: 100) { nodes { id } } } } }';
  const heavyVariable = 'query ($n: Int) { kits(first: $n) { nodes { keycaps(first: $n) { nodes { id } } } } }';
  const catalogue = 'boxes(first: 20) { nodes { id title owner { nickname } model { url } preview { url } } }';
  const keyboardsPage = `keyboards(first: 50) {
    totalCount
    nodes { id title owner { id nickname } switch { id title sound { url } } model { url byteSize } preview { url } }
  }`;

  it('counts a page size given in a variable as if written in the document, and refuses before any subgraph is called', async () => {
    const literal = await ask(heavyLiteral);
    const found = literal.answer.errors?.[0]?.extensions?.found;
    expect(found).toBe(163_625);
    const versions = [
      literal,
      await ask(heavyVariable, { n: 100 }),
      await ask('query ($n: Int = 100) { kits(first: $n) { nodes { keycaps(first: $n) { nodes { id } } } } }'),
      await ask('query ($n: Int) { kits(last: $n) { nodes { keycaps(last: $n) { nodes { id } } } } }', { n: 100 }),
    ];
    for (const { requestId, answer } of versions) {
      expect(answer.status).toBe(400);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]!.extensions).toMatchObject({
        code: 'GRAPHQL_VALIDATION_FAILED',
        limit: 'cost',
        max: 50_000,
        found,
      });
      expect(answer.extensions?.cost).toEqual({ requestedQueryCost: found, maximumAvailable: 50_000 });
      expect(subgraphsCalled(requestId)).toEqual([]);
    }
    const ru = await stack.graphql(heavyVariable, { variables: { n: 100 }, headers: { 'accept-language': 'ru' } });
    expect(ru.errors![0]!.message).toBe(
      'Стоимость операции 163625, допускается не более 50000: запросите меньше элементов или полей.',
    );
  });

  it('counts a page asked without first or last (or with null) as the largest a subgraph serves, 100', async () => {
    const unsized = await ask('{ kits { nodes { keycaps { nodes { id } } } } }');
    expect(unsized.answer.errors![0]!.extensions).toMatchObject({ limit: 'cost', found: 163_625 });
    expect(subgraphsCalled(unsized.requestId)).toEqual([]);
    const nulls = await ask('query ($n: Int) { kits(first: $n) { nodes { keycaps(last: null) { nodes { id } } } } }');
    expect(nulls.answer.errors![0]!.extensions).toMatchObject({ limit: 'cost', found: 163_625 });
    const { answer } = await ask('{ me { keyboards { nodes { owner { id } } } } }', undefined, production);
    expect(answer.errors![0]!.extensions).toMatchObject({ limit: 'cost', max: 300, found: 1_934 });
    const sized = await ask('{ me { keyboards(first: 2) { nodes { owner { id } } } } }', undefined, production);
    expect(sized.answer.errors).toBeUndefined();
    expect(sized.answer.extensions?.cost).toEqual({ requestedQueryCost: 41, maximumAvailable: 300 });
  });

  it('returns the cost on every answer, the same for the literal and the variable version of an operation', async () => {
    const literal = await ask(`{ ${catalogue} }`);
    expect(literal.answer.errors).toBeUndefined();
    expect(literal.answer.extensions?.cost).toEqual({ requestedQueryCost: 663, maximumAvailable: 50_000 });
    const variable = await ask(`query ($first: Int!) { ${catalogue.replace('first: 20', 'first: $first')} }`, { first: 20 });
    expect(variable.answer.errors).toBeUndefined();
    expect(variable.answer.extensions?.cost).toEqual(literal.answer.extensions?.cost);
    expect(subgraphsCalled(variable.requestId).length).toBeGreaterThan(0);
  });

  it('counts fragments and inline fragments as the fields they hold, and introspection as free', async () => {
    const written = await costOf(`{ ${keyboardsPage} }`);
    const withFragments = await costOf(
      `query ($n: Int) {
        keyboards(first: $n) { totalCount nodes { ...Card ... on Keyboard { switch { id title sound { ...Url } } } } }
      }
      fragment Card on Keyboard { id title owner { id nickname } model { ...Url byteSize } preview { ...Url } }
      fragment Url on FileInfo { url }`,
      { n: 50 },
    );
    expect(withFragments).toEqual(written);
    expect(
      (await costOf('{ __schema { types { name fields { name type { name } } } } __type(name: "Kit") { name } }'))
        ?.requestedQueryCost,
    ).toBe(0);
  });

  it('prices each operation of a batch on its own', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { query: `{ ${catalogue} }` },
        { query: heavyVariable, variables: { n: 100 } },
        { query: heavyVariable, variables: { n: 2 } },
      ]),
    });
    const answers = (await response.json()) as Answer[];
    expect(answers.map((answer) => answer.extensions?.cost?.requestedQueryCost)).toEqual([663, 163_625, 76]);
    expect(answers.map((answer) => answer.errors?.[0]?.extensions?.limit)).toEqual([undefined, 'cost', undefined]);
  });

  it('leaves a normal page well under the budget', async () => {
    const costs = {
      catalogue: (await costOf(`{ ${catalogue} }`))?.requestedQueryCost,
      catalogueUnsized: (await costOf(`{ ${catalogue.replace('(first: 20)', '')} }`))?.requestedQueryCost,
      keyboards: (await costOf(`{ ${keyboardsPage} }`))?.requestedQueryCost,
    };
    console.info('cost of a catalogue page of 20 boxes (and without first), and of a page of 50 keyboards:', costs);
    expect(costs).toEqual({ catalogue: 663, catalogueUnsized: 3_313, keyboards: 3_222 });
  });

  it('gives GraphQL own error for a variable of the wrong type, and stays up for hostile ones', async () => {
    const { answer } = await ask(heavyVariable, { n: 'a hundred' });
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors![0]!.message).toMatch(/^Variable "\$n" got invalid value "a hundred"; Int cannot represent/);
    for (const n of [-5, 0, 2 ** 31, 1e300, { first: 100 }, [100], null]) {
      const { answer: hostile } = await ask(heavyVariable, { n });
      expect(hostile.status, JSON.stringify(n)).toBeLessThan(500);
    }
    const undeclared = await ask('{ kits(first: 1) { nodes { id } } }', { n: 100 });
    expect(undeclared.answer.errors).toBeUndefined();
    expect(undeclared.answer.extensions?.cost?.requestedQueryCost).toBe(8);
    expect((await stack.graphql('{ boxTypes { id } }')).errors).toBeUndefined();
  });

  it('refuses an operation whose fragments expand too far to count, without running it', async () => {
    const spreads = (fragment: string) => Array.from({ length: 10 }, () => `...${fragment}`).join(' ');
    const query = `{ me { ...A } }
      fragment A on User { ${spreads('B')} } fragment B on User { ${spreads('C')} }
      fragment C on User { ${spreads('D')} } fragment D on User { ${spreads('E')} } fragment E on User { id }`;
    const { requestId, answer } = await ask(query);
    expect(answer.status).toBe(400);
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 50_000 });
    expect(answer.extensions?.cost).toEqual({ requestedQueryCost: null, maximumAvailable: 50_000 });
    expect(subgraphsCalled(requestId)).toEqual([]);
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
