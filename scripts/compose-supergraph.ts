// Writes schema/supergraph.graphql and the public API schema schema/api.graphql from the subgraphs' SDL.
// Run after changing any schema.graphql.
import { writeFileSync } from 'node:fs';
import { API_SCHEMA_PATH, composeSubgraphs, printApiSchema, SUPERGRAPH_PATH } from './lib/supergraph';

try {
  const composition = composeSubgraphs();
  writeFileSync(SUPERGRAPH_PATH, composition.supergraphSdl);
  writeFileSync(API_SCHEMA_PATH, printApiSchema(composition));
  console.log(`wrote ${SUPERGRAPH_PATH} and ${API_SCHEMA_PATH}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
