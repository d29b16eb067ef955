import DataLoader from 'dataloader';
import { isAdmin } from '@keylab/auth';
import { DateTimeScalar, type RequestContext } from '@keylab/server';
import type { UsersDb } from './db/client';
import { findUsersByIds, type UserRecord } from './domain/users';

export interface UsersContext extends RequestContext {
  users: DataLoader<string, UserRecord | null>;
}

export const usersLoader = (db: UsersDb) => new DataLoader<string, UserRecord | null>((ids) => findUsersByIds(db, ids));

const canSeePrivate = (user: UserRecord, ctx: UsersContext) => ctx.viewer?.userId === user.id || isAdmin(ctx.viewer);

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_: unknown, __: unknown, ctx: UsersContext) => (ctx.viewer ? ctx.users.load(ctx.viewer.userId) : null),
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => ctx.users.load(ref.id),
    email: (user: UserRecord, _: unknown, ctx: UsersContext) => (canSeePrivate(user, ctx) ? user.email : null),
    roles: (user: UserRecord, _: unknown, ctx: UsersContext) => (canSeePrivate(user, ctx) ? user.roles : null),
  },
};
