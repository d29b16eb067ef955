import { idOf, toGlobalId, uuidOf, type NodeType } from '@keylab/server';
import type { ItemKind } from './domain/catalogue';

// Clients see Relay global ids; the domain knows UUIDs. These translate at the resolvers' edge.

/** The Node type of each kind of item: its global ids say it. */
export const ITEM_TYPES = { box: 'Box', kit: 'Kit', keyboard: 'Keyboard' } as const satisfies Record<ItemKind, NodeType>;

/** The `id` field of a type: the row's global id. */
export const globalId = (type: NodeType) => (row: { id: string }) => toGlobalId(type, row.id);

/** An item id of the input (a global id of its kind, or a plain UUID): BAD_USER_INPUT on `id` otherwise. */
export const itemId = (kind: ItemKind, raw: string) => idOf(ITEM_TYPES[kind], raw, 'id');

/** The input with its item id decoded. */
export const withItemId = <I extends { id: string }>(kind: ItemKind, input: I): I => ({ ...input, id: itemId(kind, input.id) });

/** The input with its box type id decoded. */
export const withBoxType = <I extends { boxTypeId: string }>(input: I): I => ({
  ...input,
  boxTypeId: idOf('BoxType', input.boxTypeId, 'boxTypeId'),
});

/** List filters with their ids decoded (BAD_USER_INPUT naming a bad one); other arguments as they are. */
export function decodedFilters<A extends object>(args: A): A {
  const { boxTypeId, switchId } = args as { boxTypeId?: string | null; switchId?: string | null };
  return {
    ...args,
    ...(boxTypeId != null ? { boxTypeId: idOf('BoxType', boxTypeId, 'boxTypeId') } : {}),
    ...(switchId != null ? { switchId: idOf('Switch', switchId, 'switchId') } : {}),
  };
}

/**
 * An entity another subgraph names, by a global id or a plain UUID (as the stats subgraph stores them);
 * null for anything else, as for an id that names nothing.
 */
export function fromReference<T>(type: NodeType, raw: string, load: (id: string) => Promise<T | null>): Promise<T | null> | null {
  const id = uuidOf(type, raw);
  return id ? load(id) : null;
}
