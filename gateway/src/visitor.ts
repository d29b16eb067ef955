import type { Request, Response } from 'express';
import { readCookie } from '@keylab/auth';
import { visitorIdFrom } from '@keylab/server';

export const VISITOR_COOKIE = 'kl_vid';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The anonymous visitor id: the first-party cookie, else the X-Visitor-Id header of a non-browser
 * client, else a new id set as the cookie.
 */
export function visitorId(req: Request, res: Response, secure: boolean): string {
  const known = visitorIdFrom(readCookie(req.headers.cookie, VISITOR_COOKIE)) ?? visitorIdFrom(req.headers['x-visitor-id']);
  if (known) return known;
  const id = crypto.randomUUID().replaceAll('-', '');
  res.cookie(VISITOR_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, maxAge: ONE_YEAR_MS, path: '/' });
  return id;
}
