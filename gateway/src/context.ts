import type { Request, Response } from 'express';
import type { AccessTokenVerifier } from '@keylab/auth';
import type { Logger } from '@keylab/logger';
import { requestContext, type RequestContext } from '@keylab/server';
import { visitorId } from './visitor';

export interface GatewayContext extends RequestContext {
  /** The caller's Authorization header, forwarded as is once it has been verified. */
  authorization?: string;
}

/** Verifies the token once at the edge (garbage is refused before any subgraph sees it). */
export async function gatewayContext(
  req: Request,
  res: Response,
  verify: AccessTokenVerifier,
  logger: Logger,
  secureCookies: boolean,
): Promise<GatewayContext> {
  const headers = { ...req.headers, 'x-visitor-id': visitorId(req, res, secureCookies) };
  const context = await requestContext(headers, verify, logger);
  res.setHeader('x-request-id', context.requestId);
  return { ...context, authorization: context.viewer ? req.headers.authorization : undefined };
}
