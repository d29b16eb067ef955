import { errors } from '@keylab/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every id of the catalogue is a UUID; PostgreSQL refuses anything else in a uuid column. */
export const isUuid = (value: string) => UUID.test(value);

/** An id argument that must be a UUID; anything else is BAD_USER_INPUT naming the field. */
export function validId(field: string, raw: string): string {
  if (!isUuid(raw)) throw errors.badInput(field, 'input.id');
  return raw.toLowerCase();
}
