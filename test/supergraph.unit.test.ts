import { readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_SCHEMA_PATH, composeSubgraphs, printApiSchema, SUBGRAPHS, SUPERGRAPH_PATH } from '../scripts/lib/supergraph';
import { ROOT } from '../scripts/lib/services';

describe('supergraph', () => {
  it('composes, and the checked-in schema/supergraph.graphql and schema/api.graphql equal a fresh composition', () => {
    const fresh = composeSubgraphs();
    const hint = 'run npm run supergraph:compose and commit the result';
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8'), hint).toBe(fresh.supergraphSdl);
    expect(readFileSync(API_SCHEMA_PATH, 'utf8'), hint).toBe(printApiSchema(fresh));
  });

  it('links schema/<name>.graphql to each subgraph SDL, which uses Federation 2', () => {
    for (const { name } of SUBGRAPHS) {
      expect(readlinkSync(`${ROOT}schema/${name}.graphql`)).toBe(`../subgraphs/${name}/src/schema.graphql`);
      expect(readFileSync(`${ROOT}schema/${name}.graphql`, 'utf8')).toMatch(
        /@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/,
      );
    }
  });
});
