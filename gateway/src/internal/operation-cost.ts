import type { DocumentNode, GraphQLField, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

// GraphQL Armor's cost-limit scale, so a literal operation costs what it did when Armor counted it.
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_COST_FACTOR = 1.5;
const PAGE_ARGUMENTS = ['first', 'last'];
// The keyboards subgraph's MAX_PAGE_SIZE: what a page asked without first or last may hold, as far as the gateway knows.
const UNSIZED_PAGE = 100;
const FREE_META_FIELDS = new Set(['__schema', '__type']);

/**
 * How many items a field asks for: its largest `first` or `last` (an explicit null counting as the argument's
 * default), and where neither is given nor has a default, the largest page a subgraph serves.
 */
function pageSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const pageArguments = field.args.filter((arg) => PAGE_ARGUMENTS.includes(arg.name));
  if (pageArguments.length === 0) return 1;
  const sizes = pageArguments
    .map((arg) => args[arg.name] ?? arg.defaultValue)
    .filter((size): size is number => typeof size === 'number');
  return sizes.length === 0 ? UNSIZED_PAGE : Math.max(1, ...sizes);
}

// Field-by-field, as Armor: a leaf costs 1; an object 2 plus 1.5 times what is under it, all times its page size.
const armorScale: ComplexityEstimator = ({ field, node, args, childComplexity }) => {
  if (FREE_META_FIELDS.has(field.name)) return 0;
  if (!node.selectionSet) return SCALAR_COST;
  return (OBJECT_COST + DEPTH_COST_FACTOR * childComplexity) * pageSize(field, args);
};

export interface CostedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
}

// graphql-js words every refusal of a variable's value so; the executor refuses those with the same error. The
// library coerces the variables itself: its graphql is the schema's, where a source file's may be a second copy
// (vitest loads graphql's ES build for those) whose checks would not recognise the schema's types.
const isVariableError = (error: unknown) => error instanceof Error && error.message.startsWith('Variable "$');

/**
 * The cost of the operation about to run, with its variables (and their defaults) and the schema's argument
 * defaults; fragments count as if written out, and a union or interface as its dearest type. Undefined when
 * the variables do not fit the operation, which the executor then refuses with GraphQL's own error.
 * Throws when the operation cannot be counted, for one when its fragments expand to more than 10,000
 * selections (graphql-query-complexity's maxQueryNodes).
 */
export function operationCost({ schema, document, operation, variables }: CostedOperation): number | undefined {
  try {
    const cost = getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables,
      estimators: [armorScale],
    });
    return Math.ceil(cost);
  } catch (error) {
    if (isVariableError(error)) return undefined;
    throw error;
  }
}
