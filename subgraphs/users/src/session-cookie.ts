import type { Request, Response } from 'express';

/** The refresh-token cookie; the gateway forwards it to this subgraph only, as X-Refresh-Token. */
export const REFRESH_COOKIE = 'kl_refresh';
const PATH = '/graphql';

export function setRefreshCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(REFRESH_COOKIE, token, { httpOnly: true, secure, sameSite: 'lax', path: PATH, expires: expiresAt });
}

export function clearRefreshCookie(res: Response, secure: boolean): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: PATH });
}

/** The refresh token the gateway forwarded, or the cookie itself when this subgraph is called directly. */
export function incomingRefreshToken(req: Request): string | undefined {
  const forwarded = req.headers['x-refresh-token'];
  if (typeof forwarded === 'string' && forwarded) return forwarded;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
