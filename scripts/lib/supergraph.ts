import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { ROOT } from './services';

/** The subgraphs in the supergraph, with the URLs the checked-in file names (the gateway overrides them). */
export const SUBGRAPHS = [
  { name: 'users', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'keyboards', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'stats', url: 'http://127.0.0.1:4003/graphql' },
];

export const SUPERGRAPH_PATH = `${ROOT}schema/supergraph.graphql`;
export const subgraphSdlPath = (name: string) => `${ROOT}subgraphs/${name}/src/schema.graphql`;

/** Composes the subgraphs' SDL with @apollo/composition; throws with every composition error. */
export function composeSupergraph(): string {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({ name, url, typeDefs: parse(readFileSync(subgraphSdlPath(name), 'utf8')) })),
  );
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((error) => `- ${error.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}
