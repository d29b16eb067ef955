import { DateTimeScalar, type RequestContext } from '@keylab/server';
import type { KeyboardsDb } from './db/client';
import { listBoxTypes, listKeyboardsOf, listSwitches } from './domain/catalogue';
import type { PageArgs } from './domain/pagination';

export interface KeyboardsContext extends RequestContext {
  db: KeyboardsDb;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    switches: (_: unknown, args: PageArgs, ctx: KeyboardsContext) => listSwitches(ctx.db, args, ctx.locale),
    boxTypes: (_: unknown, __: unknown, ctx: KeyboardsContext) => listBoxTypes(ctx.db),
  },
  Keyboard: {
    owner: (keyboard: { ownerId: string | null }) => (keyboard.ownerId ? { __typename: 'User', id: keyboard.ownerId } : null),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    keyboards: (user: { id: string }, args: PageArgs, ctx: KeyboardsContext) =>
      UUID.test(user.id)
        ? listKeyboardsOf(ctx.db, user.id, args, ctx.locale)
        : { edges: [], nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 },
  },
};
