import type { Request, Response } from 'express';
import { readCookie, REFRESH_COOKIE, type AccessTokenVerifier } from '@keylab/auth';
import { pickLocale } from '@keylab/errors';
import { requestIdFrom, type Logger } from '@keylab/logger';
import { verifiedCaller, type RequestContext } from '@keylab/server';
import { visitorId } from './visitor';

export interface GatewayContext extends RequestContext {
  /** The caller's Authorization header, forwarded as is (a subgraph verifies it again). */
  authorization?: string;
  /** The refresh-token cookie, for the users subgraph only. */
  refreshToken?: string;
  res: Response;
}

/**
 * The request as the gateway sees it, built once: the caller's language and request id, the visitor (its
 * cookie, set here when new), the address the connection came from (never a header a client sent), and
 * the viewer of a token verified at the edge (a refused token leaves the request anonymous, with the reason).
 * The data source forwards these values to the subgraphs.
 */
export async function gatewayContext(
  req: Request,
  res: Response,
  verify: AccessTokenVerifier,
  logger: Logger,
  secureCookies: boolean,
): Promise<GatewayContext> {
  const locale = pickLocale(req.headers['accept-language']);
  const requestId = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('x-request-id', requestId);
  const { viewer, tokenProblem } = await verifiedCaller(req.headers.authorization, verify, locale);
  return {
    locale,
    requestId,
    visitorId: visitorId(req, res, secureCookies),
    viewer,
    tokenProblem,
    clientIp: req.ip || 'unknown',
    logger: logger.child({ requestId }),
    // Forwarded even when refused: each subgraph then knows why, for the fields that need an account.
    authorization: req.headers.authorization,
    refreshToken: readCookie(req.headers.cookie, REFRESH_COOKIE),
    res,
  };
}
