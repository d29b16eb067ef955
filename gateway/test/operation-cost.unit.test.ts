import { describe, expect, it } from 'vitest';
// graphql's CommonJS build, the one graphql-query-complexity (and the gateway, outside vitest) sees.
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql/index.js';
import { operationCost } from '../src/internal/operation-cost';

const schema = buildSchema(`
  type Query {
    shelves(first: Int = 20, last: Int): ShelfConnection!
    unsized(first: Int, last: Int): ShelfConnection!
    shelf: Shelf
    finds: [Find!]!
  }
  type ShelfConnection { nodes: [Shelf!]! }
  type Shelf { id: ID! title: String! }
  type Book { id: ID! pages: Int! }
  union Find = Shelf | Book
`);

function cost(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const operation = document.definitions.find((node) => node.kind === 'OperationDefinition') as OperationDefinitionNode;
  return operationCost({ schema, document, operation, variables });
}

// A page of shelves with an id: (2 + 1.5 × (2 + 1.5 × 1)) × size, rounded up.
const page = (size: number) => Math.ceil(7.25 * size);

describe('operation cost', () => {
  it("takes the page size from a literal, a variable, the variable's default or the argument's default", () => {
    expect(cost('{ shelves(first: 5) { nodes { id } } }')).toBe(page(5));
    expect(cost('query ($n: Int) { shelves(first: $n) { nodes { id } } }', { n: 5 })).toBe(page(5));
    expect(cost('query ($n: Int = 5) { shelves(first: $n) { nodes { id } } }')).toBe(page(5));
    expect(cost('{ shelves { nodes { id } } }')).toBe(page(20));
    expect(cost('{ shelves(first: null) { nodes { id } } }')).toBe(page(20));
  });

  it('counts last as first, the larger of the two when both are given, and 100 where neither is known', () => {
    expect(cost('query ($n: Int) { unsized(last: $n) { nodes { id } } }', { n: 8 })).toBe(page(8));
    expect(cost('{ unsized(first: 3, last: 9) { nodes { id } } }')).toBe(page(9));
    expect(cost('{ unsized { nodes { id } } }')).toBe(page(100));
    expect(cost('{ unsized(first: -4) { nodes { id } } }')).toBe(page(1));
  });

  it('counts fragments as the fields they hold, a union as its dearest member, skipped fields and introspection as nothing', () => {
    const written = cost('{ shelf { id title } }');
    expect(cost('{ shelf { ...Named } } fragment Named on Shelf { id title }')).toBe(written);
    expect(cost('{ shelf { ... on Shelf { id title } } }')).toBe(written);
    expect(cost('{ finds { ... on Shelf { id title } ... on Book { id } } }')).toBe(
      cost('{ finds { ... on Shelf { id title } } }'),
    );
    expect(cost('query ($x: Boolean!) { shelf { id title @skip(if: $x) } }', { x: true })).toBe(cost('{ shelf { id } }'));
    expect(cost('{ __schema { types { name fields { name } } } __type(name: "Shelf") { name } }')).toBe(0);
  });

  it('gives nothing for variables that do not fit, and throws for fragments that expand too far', () => {
    expect(cost('query ($n: Int) { shelves(first: $n) { nodes { id } } }', { n: 'many' })).toBeUndefined();
    expect(cost('query ($n: Int!) { shelves(first: $n) { nodes { id } } }')).toBeUndefined();
    const spreads = (name: string) => Array.from({ length: 10 }, () => `...${name}`).join(' ');
    const bomb = `{ shelf { ...A } } fragment A on Shelf { ${spreads('B')} } fragment B on Shelf { ${spreads('C')} }
      fragment C on Shelf { ${spreads('D')} } fragment D on Shelf { ${spreads('E')} } fragment E on Shelf { id }`;
    expect(() => cost(bomb)).toThrow();
  });
});
