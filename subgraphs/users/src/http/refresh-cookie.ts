import type { CookieOptions, Request, Response } from 'express';
import { readCookie, REFRESH_COOKIE } from '@keylab/auth';

const COOKIE: CookieOptions = { httpOnly: true, sameSite: 'lax', path: '/graphql' };

/** The refresh cookie of the response: set with every new refresh token, cleared when a session ends. */
export interface RefreshCookie {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export function refreshCookie(res: Response, secure: boolean): RefreshCookie {
  return {
    set(token, expiresAt) {
      res.cookie(REFRESH_COOKIE, token, { ...COOKIE, secure, expires: expiresAt });
    },
    clear() {
      res.clearCookie(REFRESH_COOKIE, { ...COOKIE, secure });
    },
  };
}

/** The refresh token the gateway forwarded (X-Refresh-Token), or the cookie itself when this subgraph is called directly. */
export function incomingRefreshToken(req: Request): string | undefined {
  const forwarded = req.headers['x-refresh-token'];
  if (typeof forwarded === 'string' && forwarded) return forwarded;
  return readCookie(req.headers.cookie, REFRESH_COOKIE);
}
