import { createHash, randomBytes } from 'node:crypto';
import type { SessionRevocations, Viewer } from '@keylab/auth';
import { errors } from '@keylab/errors';
import type { Logger } from '@keylab/logger';
import type { UsersDb } from '../db/client';
import type { Prisma, Session } from '../db/generated/client';

type Tx = Prisma.TransactionClient;

export type SessionRow = Session;

/** A session as its account sees it: `current` marks the one the request runs in. */
export type OwnSession = SessionRow & { current: boolean };

export type RevokeReason = 'sign_out' | 'sign_out_everywhere' | 'revoked' | 'password_changed' | 'password_reset' | 'token_reuse';

/** Anything else cannot be a session id (and PostgreSQL would refuse to compare it with one). */
const UUID_SHAPE = /^[0-9a-f-]{36}$/i;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export interface SessionGrant {
  sessionId: string;
  userId: string;
  expiresAt: Date;
  /** The new refresh token; null when a just-rotated token was presented within the grace window. */
  refreshToken: string | null;
}

/** A new session (one per signed-in device) with its first refresh token. */
export async function openSession(tx: Tx, userId: string, deviceLabel: string, ttlDays: number): Promise<SessionGrant> {
  const refreshToken = newToken();
  const session = await tx.session.create({
    data: {
      userId,
      deviceLabel,
      expiresAt: new Date(Date.now() + ttlDays * 86_400_000),
      tokens: { create: { tokenHash: hashToken(refreshToken) } },
    },
  });
  return { sessionId: session.id, userId, expiresAt: session.expiresAt, refreshToken };
}

/**
 * Exchanges a refresh token for a new one (rotation). A token that was already rotated and comes back
 * after the grace window means it was copied: the whole session is revoked.
 */
export async function rotateRefreshToken(
  db: UsersDb,
  token: string,
  graceSeconds: number,
  logger: Logger,
  revoke: RevokeEverywhere,
): Promise<SessionGrant> {
  const ended = () => errors.unauthenticated('auth.sessionEnded');
  const found = await db.refreshToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { session: true } });
  const session = found?.session;
  if (!found || !session || session.revokedAt || session.expiresAt <= new Date()) throw ended();
  const grant = { sessionId: session.id, userId: session.userId, expiresAt: session.expiresAt };

  if (found.rotatedAt) {
    if (Date.now() - found.rotatedAt.getTime() <= graceSeconds * 1000) return { ...grant, refreshToken: null };
    await endSessions(db, revoke, { id: session.id }, 'token_reuse');
    logger.warn({ sessionId: session.id, userId: session.userId }, 'rotated refresh token reused: session revoked');
    throw ended();
  }

  const refreshToken = newToken();
  const rotated = await db.$transaction(async (tx) => {
    const marked = await tx.refreshToken.updateMany({
      where: { tokenHash: found.tokenHash, rotatedAt: null },
      data: { rotatedAt: new Date() },
    });
    if (marked.count !== 1) return false;
    await tx.refreshToken.create({ data: { tokenHash: hashToken(refreshToken), sessionId: session.id } });
    await tx.session.update({ where: { id: session.id }, data: { lastUsedAt: new Date() } });
    return true;
  });
  // Another request rotated the same token a moment ago: that is the grace case.
  return { ...grant, refreshToken: rotated ? refreshToken : null };
}

/** Ends the open sessions `where` selects; their ids, for revokeEverywhere once the change has committed. */
export async function revokeSessions(db: UsersDb | Tx, where: Prisma.SessionWhereInput, why: RevokeReason): Promise<string[]> {
  const ended = await db.session.updateManyAndReturn({
    where: { ...where, revokedAt: null },
    data: { revokedAt: new Date(), revokedWhy: why },
    select: { id: true },
  });
  return ended.map((session) => session.id);
}

/** Puts ended sessions on the revocation list every process reads; a failure is logged, never thrown. */
export type RevokeEverywhere = (sessionIds: readonly string[]) => Promise<void>;

export function revokeEverywhere(revocations: SessionRevocations, logger: Logger): RevokeEverywhere {
  return async (sessionIds) => {
    try {
      await revocations.revoke(sessionIds);
    } catch (error) {
      // The sessions have ended all the same; only their access tokens live on until they expire.
      logger.error({ err: error, sessionIds }, 'ended sessions could not be put on the revocation list');
    }
  };
}

/** Ends sessions outside a transaction and revokes them everywhere; how many ended. */
export async function endSessions(
  db: UsersDb,
  revoke: RevokeEverywhere,
  where: Prisma.SessionWhereInput,
  why: RevokeReason,
): Promise<number> {
  const ended = await revokeSessions(db, where, why);
  await revoke(ended);
  return ended.length;
}

/** The signed-in caller whose session is still open (a signed-out session's access token is refused). */
export async function requireOpenSession(db: UsersDb, viewer: Viewer | null): Promise<Viewer & { sessionId: string }> {
  if (!viewer?.sessionId) throw errors.unauthenticated();
  const session = await db.session.findUnique({
    where: { id: viewer.sessionId },
    select: { revokedAt: true, expiresAt: true },
  });
  if (!session || session.revokedAt || session.expiresAt <= new Date()) throw errors.unauthenticated('auth.sessionEnded');
  return { ...viewer, sessionId: viewer.sessionId };
}

/** The open sessions of an account, most recently used first. */
export async function listSessions(db: UsersDb, userId: string, currentSessionId: string): Promise<OwnSession[]> {
  const rows = await db.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { lastUsedAt: 'desc' },
  });
  return rows.map((row) => ({ ...row, current: row.id === currentSessionId }));
}

/** The session a grant was just made for: the one the caller now holds. */
export async function grantedSession(db: UsersDb, grant: SessionGrant): Promise<OwnSession> {
  return { ...(await db.session.findUniqueOrThrow({ where: { id: grant.sessionId } })), current: true };
}

/** Ends one session of an account (a lost device); NOT_FOUND when it has no such open session. */
export async function revokeOwnSession(
  db: UsersDb,
  revoke: RevokeEverywhere,
  userId: string,
  sessionId: string,
): Promise<number> {
  const ended = UUID_SHAPE.test(sessionId) ? await endSessions(db, revoke, { id: sessionId, userId }, 'revoked') : 0;
  if (ended === 0) throw errors.notFound();
  return ended;
}

/** The session a refresh token belongs to, if it is still open. */
export async function sessionOfToken(db: UsersDb, token: string) {
  const found = await db.refreshToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { session: true } });
  return found?.session && !found.session.revokedAt ? found.session : null;
}
