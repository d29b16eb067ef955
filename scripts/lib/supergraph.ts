import { readFileSync } from 'node:fs';
import { composeServices, type CompositionSuccess } from '@apollo/composition';
import { graphql } from './graphql';
import { ROOT } from './services';

const { lexicographicSortSchema, parse, printSchema } = graphql;

/** The subgraphs in the supergraph, with the URLs the checked-in file names (the gateway overrides them). */
export const SUBGRAPHS = [
  { name: 'users', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'keyboards', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'stats', url: 'http://127.0.0.1:4003/graphql' },
];

export const SUPERGRAPH_PATH = `${ROOT}schema/supergraph.graphql`;
/** The public API schema, as clients see it: the supergraph without its federation machinery. */
export const API_SCHEMA_PATH = `${ROOT}schema/api.graphql`;
export const subgraphSdlPath = (name: string) => `${ROOT}subgraphs/${name}/src/schema.graphql`;
const readSubgraphSdl = (name: string) => readFileSync(subgraphSdlPath(name), 'utf8');

/** Composes the subgraphs' SDL (the working tree's unless `sdl` says otherwise); throws with every composition error. */
export function composeSubgraphs(sdl: (name: string) => string = readSubgraphSdl): CompositionSuccess {
  const result = composeServices(SUBGRAPHS.map(({ name, url }) => ({ name, url, typeDefs: parse(sdl(name)) })));
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result;
}

/** The API schema, printed in name order so that it changes only when the API does. */
export const printApiSchema = (composition: CompositionSuccess): string =>
  printSchema(lexicographicSortSchema(composition.schema.toAPISchema().toGraphQLJSSchema())) + '\n';

export const composeApiSchema = (sdl: (name: string) => string = readSubgraphSdl): string =>
  printApiSchema(composeSubgraphs(sdl));
