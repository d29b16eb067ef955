import DataLoader from 'dataloader';
import { isAdmin } from '@keylab/auth';
import { errors } from '@keylab/errors';
import { DateTimeScalar, idOf, toGlobalId, uuidOf, type CompleteResolvers } from '@keylab/server';
import type {
  MutationResolvers,
  QueryResolvers,
  Resolvers,
  Role,
  SessionResolvers,
  UserResolvers,
} from './__generated__/resolvers-types';
import type { UsersContext } from './context';
import type { UsersDb } from './db/client';
import type { Caller } from './domain/accounts';
import {
  endSessions,
  grantedSession,
  listSessions,
  requireOpenSession,
  revokeOwnSession,
  rotateRefreshToken,
  sessionOfToken,
  type OwnSession,
  type SessionGrant,
} from './domain/sessions';
import { findUsersByIds, type UserRecord } from './domain/users';
import { validDeviceLabel } from './domain/validation';
import type { UserParent } from './mappers';

export const usersLoader = (db: UsersDb) => new DataLoader<string, UserRecord | null>((ids) => findUsersByIds(db, ids));

const canSeePrivate = (user: UserParent, ctx: UsersContext) =>
  user.ownAccount || ctx.viewer?.userId === user.id || isAdmin(ctx.viewer);

/** The API's Role of each stored role name; a role the schema does not name yet stays out of the answer. */
const ROLES = new Map<string, Role>([
  ['user', 'USER'],
  ['admin', 'ADMIN'],
]);
const apiRoles = (names: readonly string[]): Role[] => names.flatMap((name) => ROLES.get(name) ?? []);

const caller = (ctx: UsersContext, deviceLabel?: string | null): Caller => ({
  locale: ctx.locale,
  ip: ctx.clientIp,
  deviceLabel: validDeviceLabel(deviceLabel, ctx.userAgent),
  visitorId: ctx.visitorId,
});

/** The caller's own account, read afresh (a mutation may just have changed it). */
async function ownAccount(ctx: UsersContext, userId: string): Promise<UserParent> {
  const user = await ctx.users.clear(userId).load(userId);
  if (!user) throw new Error(`account ${userId} of an open session is gone`);
  return { ...user, ownAccount: true };
}

async function authPayload(ctx: UsersContext, grant: SessionGrant, returnRefreshToken: boolean | null | undefined) {
  const roles = await ctx.accounts.rolesOf(grant.userId);
  const accessToken = await ctx.keys.signAccessToken({ userId: grant.userId, roles, sessionId: grant.sessionId });
  if (grant.refreshToken) ctx.refreshCookie.set(grant.refreshToken, grant.expiresAt);
  return {
    accessToken,
    accessTokenExpiresAt: new Date(Date.now() + ctx.keys.ttlSeconds * 1000),
    refreshToken: returnRefreshToken ? grant.refreshToken : null,
    session: await grantedSession(ctx.db, grant),
    user: await ownAccount(ctx, grant.userId),
  };
}

const codeRequestPayload = { accepted: true, retryAfterSeconds: 60 };

const Query: Required<QueryResolvers> = {
  me: (_, __, ctx) => (ctx.viewer ? ctx.users.load(ctx.viewer.userId) : null),
  mySessions: async (_, __, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    return listSessions(ctx.db, viewer.userId, viewer.sessionId);
  },
};

const Mutation: Required<MutationResolvers> = {
  requestSignUpCode: async (_, { input }, ctx) => {
    await ctx.accounts.requestSignUpCode(caller(ctx), input.email);
    return codeRequestPayload;
  },
  signUp: async (_, { input }, ctx) =>
    authPayload(ctx, await ctx.accounts.signUp(caller(ctx, input.deviceLabel), input), input.returnRefreshToken),
  signIn: async (_, { input }, ctx) =>
    authPayload(ctx, await ctx.accounts.signIn(caller(ctx, input.deviceLabel), input), input.returnRefreshToken),
  refreshSession: async (_, { input }, ctx) => {
    const token = input?.refreshToken ?? ctx.refreshToken;
    if (!token) throw errors.unauthenticated('auth.noRefreshToken');
    try {
      const grant = await rotateRefreshToken(ctx.db, token, ctx.refreshGraceSeconds, ctx.logger, ctx.revokeEverywhere);
      return await authPayload(ctx, grant, input?.returnRefreshToken);
    } catch (error) {
      ctx.refreshCookie.clear();
      throw error;
    }
  },
  signOut: async (_, __, ctx) => {
    const token = ctx.refreshToken;
    const sessionId = ctx.viewer?.sessionId ?? (token ? (await sessionOfToken(ctx.db, token))?.id : undefined);
    if (!sessionId) throw errors.unauthenticated();
    ctx.refreshCookie.clear();
    return { endedSessions: await endSessions(ctx.db, ctx.revokeEverywhere, { id: sessionId }, 'sign_out') };
  },
  signOutEverywhere: async (_, __, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    ctx.refreshCookie.clear();
    return {
      endedSessions: await endSessions(ctx.db, ctx.revokeEverywhere, { userId: viewer.userId }, 'sign_out_everywhere'),
    };
  },
  revokeSession: async (_, { input }, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    const sessionId = idOf('Session', input.sessionId, 'sessionId');
    return { endedSessions: await revokeOwnSession(ctx.db, ctx.revokeEverywhere, viewer.userId, sessionId) };
  },
  changeNickname: async (_, { input }, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    await ctx.accounts.changeNickname(caller(ctx), viewer.userId, input.nickname);
    return { user: await ownAccount(ctx, viewer.userId) };
  },
  changePassword: async (_, { input }, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    await ctx.accounts.changePassword(caller(ctx), viewer.userId, viewer.sessionId, input);
    return { user: await ownAccount(ctx, viewer.userId) };
  },
  requestPasswordReset: async (_, { input }, ctx) => {
    await ctx.accounts.requestPasswordReset(caller(ctx), input.email);
    return codeRequestPayload;
  },
  resetPassword: async (_, { input }, ctx) =>
    authPayload(ctx, await ctx.accounts.resetPassword(caller(ctx, input.deviceLabel), input), input.returnRefreshToken),
  requestEmailChange: async (_, { input }, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    await ctx.accounts.requestEmailChange(caller(ctx), viewer.userId, input);
    return codeRequestPayload;
  },
  confirmEmailChange: async (_, { input }, ctx) => {
    const viewer = await requireOpenSession(ctx.db, ctx.viewer);
    await ctx.accounts.confirmEmailChange(caller(ctx), viewer.userId, input.code);
    return { user: await ownAccount(ctx, viewer.userId) };
  },
};

// Every other field is on the row; typed so that a field added to the SDL needs a resolver.
const Session: CompleteResolvers<SessionResolvers, OwnSession> = {
  id: (session) => toGlobalId('Session', session.id),
};

const User: CompleteResolvers<UserResolvers, UserParent> = {
  // A reference carries the global id the keyboards subgraph gives out, or a plain UUID as before global ids.
  __resolveReference: (ref, ctx) => {
    const id = uuidOf('User', ref.id);
    return id ? ctx.users.load(id) : null;
  },
  id: (user) => toGlobalId('User', user.id),
  email: (user, _, ctx) => (canSeePrivate(user, ctx) ? user.email : null),
  roles: (user, _, ctx) => (canSeePrivate(user, ctx) ? apiRoles(user.roles) : null),
};

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Session,
  User,
};
