import { describe, expect, it } from 'vitest';
import { answerEveryRepresentation, distinctRepresentations } from '../src/internal/entity-representations';

const user = (id: string) => ({ __typename: 'User', id });

describe('distinct entity representations', () => {
  it('sends each entity once and says which answer serves each place', () => {
    const asked = [user('a'), user('b'), user('a'), user('a'), user('c')];
    expect(distinctRepresentations(asked)).toEqual({ distinct: [user('a'), user('b'), user('c')], answerOf: [0, 1, 0, 0, 2] });
  });

  it('leaves a fetch whose representations are already distinct alone', () => {
    expect(distinctRepresentations([user('a'), user('b')])).toBeNull();
    expect(distinctRepresentations([])).toBeNull();
  });

  it('puts every answer back in its place, as separate objects, and repeats an entity’s error for each place', () => {
    const distinct = distinctRepresentations([user('a'), user('b'), user('a')])!;
    const answer = answerEveryRepresentation(
      {
        data: { _entities: [{ id: 'a', nickname: 'Ann', settings: { theme: 'dark' } }, null] },
        errors: [
          { message: 'No such user', path: ['_entities', 1, 'nickname'], extensions: { code: 'NOT_FOUND' } },
          { message: 'Something else' },
        ],
      },
      distinct,
    );
    expect(answer.data!._entities).toEqual([
      { id: 'a', nickname: 'Ann', settings: { theme: 'dark' } },
      null,
      { id: 'a', nickname: 'Ann', settings: { theme: 'dark' } },
    ]);
    const [first, , third] = answer.data!._entities as { settings: object }[];
    expect(third).not.toBe(first);
    expect(third!.settings).not.toBe(first!.settings);
    expect(answer.errors).toEqual([
      { message: 'No such user', path: ['_entities', 1, 'nickname'], extensions: { code: 'NOT_FOUND' } },
      { message: 'Something else' },
    ]);
  });

  it('renumbers errors of a repeated entity to every place it was asked for', () => {
    const distinct = distinctRepresentations([user('a'), user('b'), user('a')])!;
    const answer = answerEveryRepresentation(
      { data: { _entities: [null, { id: 'b' }] }, errors: [{ message: 'Gone', path: ['_entities', 0] }] },
      distinct,
    );
    expect(answer.data!._entities).toEqual([null, { id: 'b' }, null]);
    expect(answer.errors).toEqual([
      { message: 'Gone', path: ['_entities', 0] },
      { message: 'Gone', path: ['_entities', 2] },
    ]);
  });

  it('passes an answer without entities (the subgraph failed as a whole) through', () => {
    const distinct = distinctRepresentations([user('a'), user('a')])!;
    const failed = { data: null, errors: [{ message: 'down' }] };
    expect(answerEveryRepresentation(failed, distinct)).toEqual(failed);
  });
});
