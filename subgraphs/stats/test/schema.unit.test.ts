// The stats SDL as a public API: described throughout, root fields that fail alone, and the ActivityTag
// enum naming exactly the tags the services record.
import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  isEnumType,
  type GraphQLEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_TAGS } from '@keylab/messaging';
import { resolvers } from '../src/resolvers';

const schemaOf = (subgraph: string) =>
  buildASTSchema(parse(readFileSync(new URL(`../../${subgraph}/src/schema.graphql`, import.meta.url), 'utf8')), {
    assumeValidSDL: true,
  });
const schema = schemaOf('stats');
const own = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));

describe('the stats schema', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    const need = (what: string, description: string | null | undefined) => {
      if (!description?.trim()) missing.push(what);
    };
    for (const type of own) {
      need(type.name, type.description);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          need(`${type.name}.${field.name}`, field.description);
          for (const arg of field.args) need(`${type.name}.${field.name}(${arg.name})`, arg.description);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) need(`${type.name}.${field.name}`, field.description);
      }
      if (isEnumType(type)) for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    }
    expect(missing).toEqual([]);
  });

  it('describes Query as the other subgraphs do, so that the supergraph’s Query says nothing of statistics', () => {
    const query = schema.getQueryType()!.description;
    expect(query).not.toMatch(/statistic|administrator/i);
    expect([schemaOf('users'), schemaOf('keyboards')].map((other) => other.getQueryType()!.description)).toEqual([query, query]);
  });

  it('makes every root field nullable, so that a statistics failure nulls only its own field', () => {
    const nonNull = Object.values(schema.getQueryType()!.getFields()).filter((field) => isNonNullType(field.type));
    expect(nonNull.map((field) => field.name)).toEqual([]);
  });

  it('has one ActivityTag value per recorded tag, each mapped to the stored lower-case tag', () => {
    const values = (schema.getType('ActivityTag') as GraphQLEnumType).getValues().map((value) => value.name);
    expect([...values].sort()).toEqual(ACTIVITY_TAGS.map((tag) => tag.toUpperCase()).sort());
    expect(resolvers.ActivityTag).toEqual(Object.fromEntries(ACTIVITY_TAGS.map((tag) => [tag.toUpperCase(), tag])));
  });
});
