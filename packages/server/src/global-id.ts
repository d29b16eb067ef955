import { errors } from '@keylab/errors';

/**
 * Relay global ids: opaque to clients, they carry the type (`base64url("Box:<uuid>")`), so that `node(id:)`
 * knows where to look and an id of one type passed where another is expected is refused. Every subgraph
 * keeps plain UUIDs inside; resolvers encode at the edge and decode the ids they are given.
 */
export type NodeType = 'User' | 'Switch' | 'BoxType' | 'Box' | 'Kit' | 'Keycap' | 'Keyboard' | 'Session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GLOBAL_ID = /^([A-Za-z]+):([0-9a-f-]{36})$/;

export const isUuid = (value: string) => UUID.test(value);

/** The id a client sees for the row `uuid` of `type`. */
export function toGlobalId(type: NodeType, uuid: string): string {
  return Buffer.from(`${type}:${uuid}`).toString('base64url');
}

/** The type and UUID in a global id, or null when `raw` is not one. */
export function fromGlobalId(raw: string): { type: string; id: string } | null {
  if (raw.length > 80 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  const match = GLOBAL_ID.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!match || !isUuid(match[2]!)) return null;
  return { type: match[1]!, id: match[2]!.toLowerCase() };
}

/**
 * The UUID of an id argument: a global id of `type` (or one of `types`), or, during the transition that the
 * README announces, a plain UUID as the API gave out before. Anything else is BAD_USER_INPUT naming the field.
 */
export function idOf(type: NodeType | readonly NodeType[], raw: string, field: string): string {
  const uuid = uuidOf(type, raw);
  if (!uuid) throw errors.badInput(field, 'input.id');
  return uuid;
}

/** As idOf, but null instead of an error (for entity references and `node(id:)`). */
export function uuidOf(type: NodeType | readonly NodeType[], raw: string): string | null {
  if (isUuid(raw)) return raw.toLowerCase();
  const parsed = fromGlobalId(raw);
  const types: readonly string[] = typeof type === 'string' ? [type] : type;
  return parsed && types.includes(parsed.type) ? parsed.id : null;
}
