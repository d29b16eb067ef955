import { errors } from '@keylab/errors';
import type { ActivityTag } from '@keylab/messaging';
import { fromGlobalId, type NodeType } from '@keylab/server';
import type { KeyboardsContext } from './context';
import type { BoxRow, BoxTypeRow, KeyboardRow, KeycapRow, KitRow, SwitchRow } from './domain/rows';
import type { UserRef } from './mappers';

/** The types of Node this subgraph answers `node(id:)` for, and what their resolvers get. */
interface NodeRows {
  User: UserRef;
  Switch: SwitchRow;
  BoxType: BoxTypeRow;
  Box: BoxRow;
  Kit: KitRow;
  Keycap: KeycapRow;
  Keyboard: KeyboardRow;
}

type KeyboardsNodeType = keyof NodeRows & NodeType;

/** A node with its type named, which is how Node's __resolveType tells a box from a kit. */
export type TaggedNode = { [T in KeyboardsNodeType]: NodeRows[T] & { __typename: T } }[KeyboardsNodeType];

export const MAX_NODES = 100;

const rowLoaders: { [T in KeyboardsNodeType]: (ctx: KeyboardsContext, id: string) => Promise<NodeRows[T] | null> } = {
  // Users live in the users subgraph: the gateway fetches their fields there by this reference.
  User: async (_, id) => ({ id }),
  Switch: (ctx, id) => ctx.loaders.switch.load(id),
  BoxType: (ctx, id) => ctx.loaders.boxType.load(id),
  Box: (ctx, id) => ctx.loaders.box.load(id),
  Kit: (ctx, id) => ctx.loaders.kit.load(id),
  Keycap: (ctx, id) => ctx.loaders.keycap.load(id),
  Keyboard: (ctx, id) => ctx.loaders.keyboard.load(id),
};

const viewTags: Partial<Record<KeyboardsNodeType, ActivityTag>> = {
  Switch: 'see_switch',
  Box: 'see_box',
  Kit: 'see_kit',
  Keyboard: 'see_keyboard',
};

const isKeyboardsNodeType = (type: string): type is KeyboardsNodeType => Object.hasOwn(rowLoaders, type);

/** The object a global id names; null for an id that names nothing here, another type's id or a plain UUID. */
export async function loadNode(ctx: KeyboardsContext, rawId: string): Promise<TaggedNode | null> {
  const parsed = fromGlobalId(rawId);
  if (!parsed || !isKeyboardsNodeType(parsed.type)) return null;
  const row = await rowLoaders[parsed.type](ctx, parsed.id);
  return row ? ({ ...row, __typename: parsed.type } as TaggedNode) : null;
}

/** As loadNode, counting a view of a catalogue item as its own field (box, kit, ...) does. */
export async function seeNode(ctx: KeyboardsContext, rawId: string): Promise<TaggedNode | null> {
  const node = await loadNode(ctx, rawId);
  const tag = node && viewTags[node.__typename];
  if (node && tag) ctx.emit(tag, node.id);
  return node;
}

/** Many nodes in the order asked, null for each id that names nothing; at most MAX_NODES ids. */
export function seeNodes(ctx: KeyboardsContext, ids: readonly string[]): Promise<(TaggedNode | null)[]> {
  if (ids.length > MAX_NODES) throw errors.badInput('ids', 'input.tooManyIds', { max: MAX_NODES });
  return Promise.all(ids.map((id) => seeNode(ctx, id)));
}

/** Node's runtime type: every value a Node field gets comes tagged by loadNode. */
export const typenameOf = (node: object): KeyboardsNodeType | null =>
  (node as { __typename?: KeyboardsNodeType }).__typename ?? null;
