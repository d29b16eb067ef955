import type { GraphQLFormattedError } from 'graphql';

/** The distinct representations of an `_entities` fetch, and for each one asked which of them answers it. */
export interface DistinctRepresentations {
  distinct: unknown[];
  /** For the i-th representation of the fetch, the index of its answer among the distinct ones. */
  answerOf: number[];
}

/**
 * @apollo/gateway sends an entity once per place it occurs: a page of 50 keyboards of one owner asks the users
 * subgraph for the same user 50 times. Null when every representation is already distinct (nothing to gain).
 */
export function distinctRepresentations(representations: unknown[]): DistinctRepresentations | null {
  const indexByKey = new Map<string, number>();
  const distinct: unknown[] = [];
  const answerOf = representations.map((representation) => {
    const key = JSON.stringify(representation);
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = distinct.push(representation) - 1;
      indexByKey.set(key, index);
    }
    return index;
  });
  return distinct.length < representations.length ? { distinct, answerOf } : null;
}

interface EntitiesAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/**
 * The answer as if every representation had been sent: each entity at each place it was asked for (a copy
 * past the first, as the gateway merges later fetches into these objects), and each error of an entity once
 * for every place with its path renumbered.
 */
export function answerEveryRepresentation<T extends EntitiesAnswer>(answer: T, { answerOf }: DistinctRepresentations): T {
  const entities = answer.data?._entities;
  const placed = new Set<number>();
  const data = Array.isArray(entities)
    ? {
        ...answer.data,
        _entities: answerOf.map((index) => {
          const entity = entities[index] as unknown;
          if (placed.has(index)) return structuredClone(entity);
          placed.add(index);
          return entity;
        }),
      }
    : answer.data;
  const errors = answer.errors?.flatMap((error) => {
    const [root, index, ...rest] = error.path ?? [];
    if (root !== '_entities' || typeof index !== 'number') return [error];
    return answerOf.flatMap((answered, at) => (answered === index ? [{ ...error, path: ['_entities', at, ...rest] }] : []));
  });
  return { ...answer, data, ...(errors ? { errors } : {}) };
}
