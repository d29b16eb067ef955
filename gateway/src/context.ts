import type { Request, Response } from 'express';
import type { AccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { requestContext, type RequestContext } from '@keylab/server';
import { REFRESH_COOKIE } from './data-source';
import { cookie, visitorId } from './visitor';

export interface GatewayContext extends RequestContext {
  /** The caller's Authorization header, forwarded as is once it has been verified. */
  authorization?: string;
  /** The refresh-token cookie, for the users subgraph only. */
  refreshToken?: string;
  res: Response;
}

/** Verifies the token once at the edge (garbage is refused before any subgraph sees it). */
export async function gatewayContext(
  req: Request,
  res: Response,
  verify: AccessTokenVerifier,
  logger: Logger,
  secureCookies: boolean,
): Promise<GatewayContext> {
  // A client may not choose the address that rate limits count it under.
  const { 'x-client-ip': _spoofed, ...headers } = req.headers;
  const context = await requestContext(
    { ...headers, 'x-visitor-id': visitorId(req, res, secureCookies) },
    verify,
    logger,
    req.ip,
  );
  res.setHeader('x-request-id', context.requestId);
  return {
    ...context,
    authorization: context.viewer ? req.headers.authorization : undefined,
    refreshToken: cookie(req, REFRESH_COOKIE),
    res,
  };
}
