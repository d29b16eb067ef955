import { errors, type Locale } from '@keylab/errors';
import type { Logger } from '@keylab/logger';
import type { UsersDb } from '../db/client';
import { Prisma } from '../db/generated/client';
import { issueCode, spendCode, type CodeHasher, type CodePurpose } from './codes';
import { enqueueEmail, enqueueUserRegistered, type OutboxRelay } from './outbox';
import type { PasswordHasher } from './password-hasher';
import type { RateLimits } from './rate-limits';
import { openSession, revokeSessions, type RevokeEverywhere, type SessionGrant } from './sessions';
import { validCode, validEmail, validNickname, validPassword } from './validation';

export interface AccountsDeps {
  db: UsersDb;
  hasher: CodeHasher;
  passwords: PasswordHasher;
  limits: RateLimits;
  relay: OutboxRelay;
  revokeEverywhere: RevokeEverywhere;
  logger: Logger;
  emailExchange: string;
  userEventsExchange: string;
  sessionTtlDays: number;
  codeRequestFloorMs: number;
}

/** Who asks: the address rate limits count, the language of emails and of a new account, the session label. */
export interface Caller {
  locale: Locale;
  ip: string;
  deviceLabel: string;
  /** The gateway's visitor id of the request, if any (statistics relate a sign-up to its visit). */
  visitorId?: string | null;
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** Runs `work`, then waits until `floorMs` have passed: the answer's timing tells nothing about the address. */
async function atLeast<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const left = floorMs - (Date.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}

export function accounts(deps: AccountsDeps) {
  const { db, hasher, passwords, limits, relay } = deps;

  /** Commits `work` with its outbox rows, then wakes the relay to publish them. */
  async function commit<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    const result = await db.$transaction(work);
    relay.wake();
    return result;
  }

  async function sendCode(
    purpose: CodePurpose,
    email: string,
    locale: Locale,
    template: 'sign-up-code' | 'password-reset-code' | 'email-change-code',
    userId?: string,
  ) {
    await commit(async (tx) => {
      const code = await issueCode(tx, hasher, { purpose, email, userId });
      await enqueueEmail(tx, deps.emailExchange, { template, locale, to: email, params: { code } });
    });
  }

  /** The account, once its current password is confirmed; every try counts like a sign-in. */
  async function currentPasswordChecked(caller: Caller, userId: string, password: string) {
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    const attempt = await limits.passwordAttempt(user.email, caller.ip);
    if ((await passwords.check(user, password)) === 'wrong') throw errors.badInput('currentPassword', 'auth.wrongPassword');
    await attempt.succeeded();
    return user;
  }

  /**
   * Checks and spends a code in a transaction of its own, after taking a try from the limits: only a
   * right code gets as far as the Argon2 hash of a new password.
   */
  async function codeSpent(caller: Caller, input: { purpose: 'sign_up' | 'password_reset'; email: string; code: string }) {
    const attempt = await limits.codeAttempt(input.purpose, input.email, caller.ip);
    const spent = await db.$transaction((tx) => spendCode(db, tx, hasher, input));
    await attempt.succeeded();
    return spent;
  }

  async function rolesOf(userId: string): Promise<string[]> {
    const rows = await db.userRole.findMany({ where: { userId }, select: { roleName: true }, orderBy: { roleName: 'asc' } });
    return rows.map((row) => row.roleName);
  }

  return {
    /**
     * Sends a sign-up code, or to a registered address an "you already have an account" email; the
     * answer and its timing are the same either way.
     */
    requestSignUpCode: (caller: Caller, rawEmail: string) =>
      atLeast(deps.codeRequestFloorMs, async () => {
        const email = validEmail(rawEmail);
        await limits.codeRequest('sign_up', email, caller.ip);
        const existing = await db.user.findUnique({ where: { email }, select: { id: true, locale: true } });
        if (existing) {
          await commit((tx) =>
            enqueueEmail(tx, deps.emailExchange, { template: 'account-exists', locale: caller.locale, to: email }),
          );
        } else {
          await sendCode('sign_up', email, caller.locale, 'sign-up-code');
        }
      }),

    /** Creates the account from a valid sign-up code (spent first, even if the account then cannot be made) and signs it in. */
    async signUp(
      caller: Caller,
      input: { email: string; code: string; password: string; nickname: string },
    ): Promise<SessionGrant> {
      const email = validEmail(input.email);
      const code = validCode(input.code);
      const password = validPassword(input.password);
      const nickname = validNickname(input.nickname);
      await codeSpent(caller, { purpose: 'sign_up', email, code });
      const passwordHash = await passwords.hash(password);
      try {
        return await commit(async (tx) => {
          const user = await tx.user.create({
            data: { email, nickname, passwordHash, locale: caller.locale, roles: { create: { roleName: 'user' } } },
          });
          await enqueueUserRegistered(tx, deps.userEventsExchange, user, caller.visitorId ?? null);
          return openSession(tx, user.id, caller.deviceLabel, deps.sessionTtlDays);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict('email.taken', 'email');
        throw error;
      }
    },

    /** Signs in with email and password; an imported legacy hash is upgraded to Argon2id on success. */
    async signIn(caller: Caller, input: { email: string; password: string }): Promise<SessionGrant> {
      const email = validEmail(input.email);
      const attempt = await limits.passwordAttempt(email, caller.ip);
      const user = await db.user.findUnique({ where: { email } });
      const verdict = await passwords.check(user, input.password);
      if (!user || verdict === 'wrong') throw errors.unauthenticated('auth.badCredentials');
      await attempt.succeeded();
      const upgrade = verdict === 'ok-upgrade' ? await passwords.hash(input.password) : null;
      return db.$transaction(async (tx) => {
        if (upgrade) {
          await tx.user.update({ where: { id: user.id }, data: { passwordHash: upgrade, legacySalt: null, legacyHash: null } });
          deps.logger.info({ userId: user.id }, 'legacy password hash upgraded to argon2id');
        }
        return openSession(tx, user.id, caller.deviceLabel, deps.sessionTtlDays);
      });
    },

    rolesOf,

    async changeNickname(caller: Caller, userId: string, rawNickname: string) {
      const nickname = validNickname(rawNickname);
      return db.user.update({ where: { id: userId }, data: { nickname } });
    },

    /** Needs the current password; every other session of the account ends. */
    async changePassword(
      caller: Caller,
      userId: string,
      sessionId: string | null,
      input: { currentPassword: string; newPassword: string },
    ) {
      const newPassword = validPassword(input.newPassword, 'newPassword');
      if (newPassword === input.currentPassword) throw errors.badInput('newPassword', 'input.samePassword');
      const user = await currentPasswordChecked(caller, userId, input.currentPassword);
      const passwordHash = await passwords.hash(newPassword);
      const ended = await commit(async (tx) => {
        await tx.user.update({ where: { id: userId }, data: { passwordHash, legacySalt: null, legacyHash: null } });
        await enqueueEmail(tx, deps.emailExchange, { template: 'password-changed', locale: caller.locale, to: user.email });
        return revokeSessions(tx, { userId, NOT: sessionId ? { id: sessionId } : undefined }, 'password_changed');
      });
      await deps.revokeEverywhere(ended);
      return user;
    },

    /** Sends a reset code to a registered address; the same answer for any address. */
    requestPasswordReset: (caller: Caller, rawEmail: string) =>
      atLeast(deps.codeRequestFloorMs, async () => {
        const email = validEmail(rawEmail);
        await limits.codeRequest('password_reset', email, caller.ip);
        const user = await db.user.findUnique({ where: { email }, select: { id: true } });
        if (user) await sendCode('password_reset', email, caller.locale, 'password-reset-code', user.id);
      }),

    /** Sets a new password from a reset code, ends every session and signs in anew. */
    async resetPassword(caller: Caller, input: { email: string; code: string; newPassword: string }): Promise<SessionGrant> {
      const email = validEmail(input.email);
      const code = validCode(input.code);
      const newPassword = validPassword(input.newPassword, 'newPassword');
      const { userId } = await codeSpent(caller, { purpose: 'password_reset', email, code });
      const passwordHash = await passwords.hash(newPassword);
      const { ended, grant } = await commit(async (tx) => {
        await tx.user.update({ where: { id: userId! }, data: { passwordHash, legacySalt: null, legacyHash: null } });
        const ended = await revokeSessions(tx, { userId: userId! }, 'password_reset');
        await enqueueEmail(tx, deps.emailExchange, { template: 'password-changed', locale: caller.locale, to: email });
        return { ended, grant: await openSession(tx, userId!, caller.deviceLabel, deps.sessionTtlDays) };
      });
      await deps.revokeEverywhere(ended);
      return grant;
    },

    /** Sends a code to the new address after checking the password; a taken address gets a notice instead. */
    requestEmailChange: (caller: Caller, userId: string, input: { newEmail: string; currentPassword: string }) =>
      atLeast(deps.codeRequestFloorMs, async () => {
        const newEmail = validEmail(input.newEmail, 'newEmail');
        const user = await currentPasswordChecked(caller, userId, input.currentPassword);
        if (newEmail === user.email) throw errors.badInput('newEmail', 'input.sameEmail');
        await limits.codeRequest('email_change', newEmail, caller.ip);
        const taken = await db.user.findUnique({ where: { email: newEmail }, select: { id: true } });
        if (taken) {
          await commit((tx) =>
            enqueueEmail(tx, deps.emailExchange, { template: 'account-exists', locale: caller.locale, to: newEmail }),
          );
        } else {
          await sendCode('email_change', newEmail, caller.locale, 'email-change-code', userId);
        }
      }),

    /** Moves the account to the address the code was sent to, and tells the old address. */
    async confirmEmailChange(caller: Caller, userId: string, rawCode: string) {
      const code = validCode(rawCode);
      const attempt = await limits.codeAttempt('email_change', userId, caller.ip);
      try {
        const moved = await commit(async (tx) => {
          const { email } = await spendCode(db, tx, hasher, { purpose: 'email_change', userId, code });
          const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
          const user = await tx.user.update({ where: { id: userId }, data: { email } });
          await enqueueEmail(tx, deps.emailExchange, {
            template: 'email-changed',
            locale: caller.locale,
            to: before.email,
            params: { newEmail: email },
          });
          return user;
        });
        await attempt.succeeded();
        return moved;
      } catch (error) {
        if (isUniqueViolation(error)) throw errors.conflict('email.taken', 'newEmail');
        throw error;
      }
    },
  };
}

export type Accounts = ReturnType<typeof accounts>;
