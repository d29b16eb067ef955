import { errors } from '@keylab/errors';
import { isUuid } from '@keylab/server';

// Every id of the catalogue is a UUID (the resolvers decode the API's global ids); PostgreSQL refuses anything
// else in a uuid column.
export { isUuid };

/** An id argument that must be a UUID; anything else is BAD_USER_INPUT naming the field. */
export function validId(field: string, raw: string): string {
  if (!isUuid(raw)) throw errors.badInput(field, 'input.id');
  return raw.toLowerCase();
}
