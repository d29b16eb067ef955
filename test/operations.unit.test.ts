import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

const supergraph = buildSchema(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'));
const examples = parse(readFileSync(new URL('../docs/operations.graphql', import.meta.url), 'utf8'));

describe('docs/operations.graphql', () => {
  it('holds only operations that are valid against the supergraph', () => {
    expect(validate(supergraph, examples).map((error) => error.message)).toEqual([]);
  });
});
