// Writes schema/supergraph.graphql from the subgraphs' SDL. Run after changing any schema.graphql.
import { writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './lib/supergraph';

try {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
