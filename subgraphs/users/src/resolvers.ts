import DataLoader from 'dataloader';
import type { Request, Response } from 'express';
import { isAdmin, type Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import { DateTimeScalar, type RequestContext } from '@keylab/server';
import type { UsersDb } from './db/client';
import type { Accounts, Caller } from './domain/accounts';
import { listSessions, revokeSessions, rotateRefreshToken, sessionOfToken, type SessionGrant } from './domain/sessions';
import type { SigningKeys } from './domain/signing-keys';
import { findUsersByIds, type UserRecord } from './domain/users';
import { validDeviceLabel } from './domain/validation';
import { clearRefreshCookie, incomingRefreshToken, setRefreshCookie } from './session-cookie';

export interface UsersContext extends RequestContext {
  db: UsersDb;
  users: DataLoader<string, UserRecord | null>;
  accounts: Accounts;
  keys: SigningKeys;
  settings: { cookieSecure: boolean; refreshGraceSeconds: number };
  req: Request;
  res: Response;
}

export const usersLoader = (db: UsersDb) => new DataLoader<string, UserRecord | null>((ids) => findUsersByIds(db, ids));

/** A user in an auth payload is the caller's own account even before the caller holds its token. */
type ShownUser = UserRecord & { ownAccount?: boolean };

const canSeePrivate = (user: ShownUser, ctx: UsersContext) =>
  user.ownAccount || ctx.viewer?.userId === user.id || isAdmin(ctx.viewer);

const caller = (ctx: UsersContext, deviceLabel?: string | null): Caller => ({
  locale: ctx.locale,
  ip: ctx.clientIp,
  deviceLabel: validDeviceLabel(deviceLabel, ctx.req.headers['user-agent']),
});

/** The signed-in caller whose session is still open (a signed-out session's access token is refused). */
async function requireSession(ctx: UsersContext): Promise<Viewer & { sessionId: string }> {
  const viewer = ctx.viewer;
  if (!viewer?.sessionId) throw errors.unauthenticated();
  const session = await ctx.db.session.findUnique({
    where: { id: viewer.sessionId },
    select: { revokedAt: true, expiresAt: true },
  });
  if (!session || session.revokedAt || session.expiresAt <= new Date()) throw errors.unauthenticated('auth.sessionEnded');
  return { ...viewer, sessionId: viewer.sessionId };
}

async function authPayload(ctx: UsersContext, grant: SessionGrant, returnRefreshToken: boolean | null | undefined) {
  const roles = await ctx.accounts.rolesOf(grant.userId);
  const accessToken = await ctx.keys.signAccessToken({ userId: grant.userId, roles, sessionId: grant.sessionId });
  if (grant.refreshToken) setRefreshCookie(ctx.res, grant.refreshToken, grant.expiresAt, ctx.settings.cookieSecure);
  const session = await ctx.db.session.findUniqueOrThrow({ where: { id: grant.sessionId } });
  return {
    accessToken,
    accessTokenExpiresAt: new Date(Date.now() + ctx.keys.ttlSeconds * 1000),
    refreshToken: returnRefreshToken ? grant.refreshToken : null,
    session: { ...session, current: true },
    user: { ...(await ctx.users.load(grant.userId))!, ownAccount: true },
  };
}

const codeRequestPayload = { accepted: true, retryAfterSeconds: 60 };

type Input<T> = { input: T };

export const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_: unknown, __: unknown, ctx: UsersContext) => (ctx.viewer ? ctx.users.load(ctx.viewer.userId) : null),
    mySessions: async (_: unknown, __: unknown, ctx: UsersContext) => listSessions(ctx.db, (await requireSession(ctx)).userId),
  },
  Mutation: {
    async requestSignUpCode(_: unknown, { input }: Input<{ email: string }>, ctx: UsersContext) {
      await ctx.accounts.requestSignUpCode(caller(ctx), input.email);
      return codeRequestPayload;
    },
    async signUp(
      _: unknown,
      {
        input,
      }: Input<{
        email: string;
        code: string;
        password: string;
        nickname: string;
        deviceLabel?: string;
        returnRefreshToken?: boolean;
      }>,
      ctx: UsersContext,
    ) {
      return authPayload(ctx, await ctx.accounts.signUp(caller(ctx, input.deviceLabel), input), input.returnRefreshToken);
    },
    async signIn(
      _: unknown,
      { input }: Input<{ email: string; password: string; deviceLabel?: string; returnRefreshToken?: boolean }>,
      ctx: UsersContext,
    ) {
      return authPayload(ctx, await ctx.accounts.signIn(caller(ctx, input.deviceLabel), input), input.returnRefreshToken);
    },
    async refreshSession(
      _: unknown,
      args: { input?: { refreshToken?: string; returnRefreshToken?: boolean } | null },
      ctx: UsersContext,
    ) {
      const token = args.input?.refreshToken ?? incomingRefreshToken(ctx.req);
      if (!token) throw errors.unauthenticated('auth.noRefreshToken');
      try {
        const grant = await rotateRefreshToken(ctx.db, token, ctx.settings.refreshGraceSeconds, ctx.logger);
        return await authPayload(ctx, grant, args.input?.returnRefreshToken);
      } catch (error) {
        clearRefreshCookie(ctx.res, ctx.settings.cookieSecure);
        throw error;
      }
    },
    async signOut(_: unknown, __: unknown, ctx: UsersContext) {
      const token = incomingRefreshToken(ctx.req);
      const sessionId = ctx.viewer?.sessionId ?? (token ? (await sessionOfToken(ctx.db, token))?.id : undefined);
      if (!sessionId) throw errors.unauthenticated();
      clearRefreshCookie(ctx.res, ctx.settings.cookieSecure);
      return { endedSessions: await revokeSessions(ctx.db, { id: sessionId }, 'sign_out') };
    },
    async signOutEverywhere(_: unknown, __: unknown, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      clearRefreshCookie(ctx.res, ctx.settings.cookieSecure);
      return { endedSessions: await revokeSessions(ctx.db, { userId: viewer.userId }, 'sign_out_everywhere') };
    },
    async revokeSession(_: unknown, { input }: Input<{ sessionId: string }>, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      const ended = /^[0-9a-f-]{36}$/i.test(input.sessionId)
        ? await revokeSessions(ctx.db, { id: input.sessionId, userId: viewer.userId }, 'revoked')
        : 0;
      if (ended === 0) throw errors.notFound();
      return { endedSessions: ended };
    },
    async changeNickname(_: unknown, { input }: Input<{ nickname: string }>, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      await ctx.accounts.changeNickname(caller(ctx), viewer.userId, input.nickname);
      return { user: await usersLoader(ctx.db).load(viewer.userId) };
    },
    async changePassword(_: unknown, { input }: Input<{ currentPassword: string; newPassword: string }>, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      await ctx.accounts.changePassword(caller(ctx), viewer.userId, viewer.sessionId, input);
      return { user: await ctx.users.load(viewer.userId) };
    },
    async requestPasswordReset(_: unknown, { input }: Input<{ email: string }>, ctx: UsersContext) {
      await ctx.accounts.requestPasswordReset(caller(ctx), input.email);
      return codeRequestPayload;
    },
    async resetPassword(
      _: unknown,
      { input }: Input<{ email: string; code: string; newPassword: string; deviceLabel?: string; returnRefreshToken?: boolean }>,
      ctx: UsersContext,
    ) {
      return authPayload(ctx, await ctx.accounts.resetPassword(caller(ctx, input.deviceLabel), input), input.returnRefreshToken);
    },
    async requestEmailChange(_: unknown, { input }: Input<{ newEmail: string; currentPassword: string }>, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      await ctx.accounts.requestEmailChange(caller(ctx), viewer.userId, input);
      return codeRequestPayload;
    },
    async confirmEmailChange(_: unknown, { input }: Input<{ code: string }>, ctx: UsersContext) {
      const viewer = await requireSession(ctx);
      await ctx.accounts.confirmEmailChange(caller(ctx), viewer.userId, input.code);
      return { user: await usersLoader(ctx.db).load(viewer.userId) };
    },
  },
  Session: {
    current: (session: { id: string; current?: boolean }, _: unknown, ctx: UsersContext) =>
      session.current ?? session.id === ctx.viewer?.sessionId,
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => ctx.users.load(ref.id),
    email: (user: ShownUser, _: unknown, ctx: UsersContext) => (canSeePrivate(user, ctx) ? user.email : null),
    roles: (user: ShownUser, _: unknown, ctx: UsersContext) => (canSeePrivate(user, ctx) ? user.roles : null),
  },
};
