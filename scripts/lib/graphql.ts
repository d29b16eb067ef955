import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';

/**
 * The graphql that Node resolves (its CommonJS main), which @apollo/composition and @graphql-inspector/core load.
 * Vite, which runs the tests, would give a plain `import 'graphql'` the ES build: a second copy, whose schemas
 * and types those libraries refuse ("from another module or realm").
 */
export const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQL;
